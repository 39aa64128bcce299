package arch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"testing"

	"github.com/parleyhq/parley/internal/arch"
)

const module = "github.com/parleyhq/parley"

// TestImportGraph checks every package of the module against the rules.
func TestImportGraph(t *testing.T) {
	graph := importGraph(t)
	// The graph is the real one: the packages and the arrows the rules are about are there.
	for from, to := range map[string]string{
		"cmd/parley": "channels/slack", "web": "workflow", "workflow": "inbox",
		"channels/sms": "channels", "channels/email": "inbox",
	} {
		if !slices.Contains(graph[module+"/"+from], module+"/"+to) {
			t.Fatalf("go list shows no import of %s by %s: %v", to, from, graph[module+"/"+from])
		}
	}
	for _, v := range arch.Check(module, graph, arch.Rules()) {
		t.Error(v)
	}
}

// importGraph runs go list over the module and returns each package's production imports.
func importGraph(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		graph[p.ImportPath] = p.Imports
	}
	return graph
}

// The checker finds every forbidden arrow of a made-up graph, and only those.
func TestCheckFindsForbiddenArrows(t *testing.T) {
	pkg := func(p string) string { return module + "/" + p }
	graph := map[string][]string{
		pkg("cmd/parley"):       {pkg("web"), pkg("workflow"), pkg("channels/sms"), pkg("channels/slack"), pkg("inbox")},
		pkg("web"):              {pkg("workflow"), pkg("channels"), pkg("inbox"), pkg("channels/chat")},
		pkg("workflow"):         {pkg("inbox"), pkg("channels"), pkg("channels/email"), pkg("web")},
		pkg("inbox"):            {pkg("migrations"), pkg("channels")},
		pkg("channels"):         {pkg("inbox"), pkg("workflow")},
		pkg("channels/slack"):   {pkg("channels"), pkg("inbox"), pkg("channels/slack/slacktest"), pkg("workflow"), pkg("channels/sms/smstest")},
		pkg("channels/sms"):     {pkg("channels"), pkg("channels/sms/smstest"), pkg("channels/chat"), "github.com/riverqueue/river"},
		pkg("sla"):              {"time"},
		pkg("migrations"):       {pkg("internal/dbtest")},
		pkg("internal/jobtest"): {pkg("channels"), pkg("web")},
	}
	var got []string
	for _, v := range arch.Check(module, graph, arch.Rules()) {
		got = append(got, v.From+" -> "+v.To)
	}
	want := []string{
		"channels -> workflow",
		"channels/slack -> channels/sms/smstest",
		"channels/slack -> workflow",
		"channels/sms -> channels/chat",
		"inbox -> channels",
		"internal/jobtest -> web",
		"migrations -> internal/dbtest",
		"web -> channels/chat",
		"workflow -> channels/email",
		"workflow -> web",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations\n got %q\nwant %q", got, want)
	}
}
