package chat

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// widgetGzipBudget is the most the widget may weigh gzipped (gzip -9): 9 KiB since it carries
// files both ways (it was 8 KiB with text alone).
const widgetGzipBudget = 9 << 10

func TestWidgetSyntax(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: the widget cannot be checked (apt-get install nodejs; .ci/run installs it)")
	}
	out, err := exec.Command(node, "--check", WidgetFile).CombinedOutput()
	if err != nil {
		t.Fatalf("node --check widget.js: %v\n%s", err, out)
	}
	out, err = exec.Command(node, "--check", servedWidget(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("node --check on the widget as served: %v\n%s", err, out)
	}
}

// servedWidget writes the widget as served (Widget) to a file and returns its path.
func servedWidget(t *testing.T) string {
	t.Helper()
	js, err := Widget()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "widget.js")
	if err := os.WriteFile(name, js, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestWidgetBehaviour drives widget.js in node against a fake DOM, WebSocket and clock
// (testdata/fakedom.js): handshake, queue and resend, backoff, storage, typing,
// surveys, identify.
func TestWidgetBehaviour(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: the widget tests cannot run (apt-get install nodejs; .ci/run installs it)")
	}
	// On the widget as served: its comment lines dropped.
	cmd := exec.Command(node, "--test", "--test-reporter=dot", filepath.Join("testdata", "widget.test.js"))
	cmd.Env = append(os.Environ(), "PARLEY_WIDGET="+servedWidget(t))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test testdata/widget.test.js: %v\n%s", err, out)
	}
}

func TestWidgetSize(t *testing.T) {
	t.Parallel()
	js, err := Widget()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(js); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("widget.js: %d bytes, %d gzipped", len(js), b.Len())
	if b.Len() > widgetGzipBudget {
		t.Fatalf("widget.js is %d bytes gzipped, over the %d budget", b.Len(), widgetGzipBudget)
	}
}

// TestWidgetWritesNoMarkup guards the rule that visitor and agent text only ever
// becomes text nodes.
func TestWidgetWritesNoMarkup(t *testing.T) {
	t.Parallel()
	js, err := Widget()
	if err != nil {
		t.Fatal(err)
	}
	banned := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|createContextualFragment`)
	if m := banned.Find(js); m != nil {
		t.Fatalf("widget.js uses %s", m)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{WidgetFile, DemoFile} {
		b, err := fs.ReadFile(Files(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	// The embedded widget is the file on disk, the one node checks; Widget() is its lines but
	// the comment lines after the first.
	disk, err := os.ReadFile(WidgetFile)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := fs.ReadFile(Files(), WidgetFile); !bytes.Equal(b, disk) {
		t.Fatal("the embedded widget.js differs from widget.js")
	}
	js, _ := Widget()
	var kept []string
	for i, line := range strings.SplitAfter(string(disk), "\n") {
		if comment := strings.HasPrefix(strings.TrimSpace(line), "//"); !comment || i == 0 {
			kept = append(kept, line)
		}
	}
	if string(js) != strings.Join(kept, "") || len(js) >= len(disk) || !bytes.HasPrefix(js, []byte("// Parley")) {
		t.Fatalf("Widget() is not widget.js without its comment lines (%d of %d bytes)", len(js), len(disk))
	}
}

func TestDemoTemplate(t *testing.T) {
	t.Parallel()
	tmpl, err := DemoTemplate()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, DemoPage{InboxID: 7, BaseURL: "https://parley.example.com"}); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	page := b.String()
	want := `<script src="https://parley.example.com/chat/widget.js" data-inbox="7"`
	if !strings.Contains(page, want) {
		t.Fatalf("demo page lacks %s", want)
	}
	// A base URL is data, never markup or script.
	b.Reset()
	if err := tmpl.Execute(&b, DemoPage{InboxID: 7, BaseURL: `javascript:alert(1)//"><b>`}); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if strings.Contains(b.String(), `src="javascript:`) || strings.Contains(b.String(), `"><b>`) {
		t.Fatalf("hostile base URL reached the page:\n%s", b.String())
	}
}
