package chat_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/chat"
)

func get(t *testing.T, n *node, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, n.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestWidgetScript(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	want, err := chat.Widget()
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, n, "/chat/widget.js", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || body != string(want) || etag == "" ||
		resp.Header.Get("Content-Type") != "application/javascript; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("GET /chat/widget.js: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(body))
	}
	resp, body = get(t, n, "/chat/widget.js", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("revalidation: %d with %d bytes, want 304", resp.StatusCode, len(body))
	}
}

// demoFrom asks for the demo page as a browser at host would, over https when tls.
func demoFrom(t *testing.T, n *node, host string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, n.http.URL+"/chat/demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func widgetOf(id int64) string {
	return `<script src="http://localhost:8080/chat/widget.js" data-inbox="` + strconv.FormatInt(id, 10) + `"`
}

func TestDemoPage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store, PublicURL: "http://localhost:8080"})
	resp, body := demoFrom(t, n, "localhost:8080", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "No chat inbox yet") ||
		!strings.Contains(body, "parley inbox add chat --name Website --origin http://localhost:8080") {
		t.Fatalf("demo without a chat inbox: %d %s", resp.StatusCode, body)
	}

	shop := namedInbox(t, e, "Shop", chat.Settings{Origins: []string{"https://shop.example.com"}})
	local := namedInbox(t, e, "Local", chat.Settings{Origins: []string{"https://shop.example.com", "http://localhost:8080"}})
	other := namedInbox(t, e, "Other", chat.Settings{Origins: []string{"http://127.0.0.1:8080"}})
	for _, tc := range []struct {
		name, host string
		header     http.Header
		want       int64
	}{
		{"the first inbox allowing the origin", "shop.example.com", http.Header{"X-Forwarded-Proto": {"https"}}, shop.ID},
		{"not the first inbox: the one allowing the origin", "localhost:8080", nil, local.ID},
		{"another host", "127.0.0.1:8080", nil, other.ID},
		{"the host compares case-insensitively", "LOCALHOST:8080", nil, local.ID},
	} {
		resp, body := demoFrom(t, n, tc.host, tc.header)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, widgetOf(tc.want)) {
			t.Errorf("%s: %d, want the widget of inbox %d:\n%s", tc.name, resp.StatusCode, tc.want, body)
		}
	}

	// No inbox allows the origin: a plain page says which and how to allow it, no widget.
	for _, tc := range []struct {
		name, host, origin string
		header             http.Header
	}{
		{"an unknown host", "www.example.org", "http://www.example.org", nil},
		{"the right host, the wrong scheme", "shop.example.com", "http://shop.example.com", nil},
		{"the right host, the wrong port", "localhost:9090", "http://localhost:9090", nil},
	} {
		resp, body := demoFrom(t, n, tc.host, tc.header)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "widget.js") ||
			!strings.Contains(body, "Chat is not enabled for this address") ||
			!strings.Contains(body, "<code>"+tc.origin+"</code>") ||
			!strings.Contains(body, `href="http://localhost:8080/admin/inboxes"`) {
			t.Errorf("%s: %d, want the page naming %s and /admin/inboxes:\n%s", tc.name, resp.StatusCode, tc.origin, body)
		}
	}
}

func TestDemoPageSkipsDisabledAndPrefersNamedOrigins(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store, PublicURL: "http://localhost:8080"})
	anyOrigin := namedInbox(t, e, "Any", chat.Settings{Origins: []string{"*"}})
	off := namedInbox(t, e, "Off", chat.Settings{Origins: []string{"http://localhost:8080"}})
	disable(t, e, off.ID)
	named := namedInbox(t, e, "Named", chat.Settings{Origins: []string{"http://localhost:8080", "*"}})

	if resp, body := demoFrom(t, n, "localhost:8080", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, widgetOf(named.ID)) {
		t.Errorf("an inbox naming the origin: %d, want inbox %d over %d (\"*\") and %d (disabled):\n%s",
			resp.StatusCode, named.ID, anyOrigin.ID, off.ID, body)
	}
	if resp, body := demoFrom(t, n, "elsewhere.example", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, widgetOf(anyOrigin.ID)) {
		t.Errorf("only \"*\" allows the origin: %d, want the first such inbox %d:\n%s", resp.StatusCode, anyOrigin.ID, body)
	}
}
