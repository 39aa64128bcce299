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

func TestDemoPage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store, PublicURL: "http://localhost:8080"})
	resp, body := get(t, n, "/chat/demo", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "No chat inbox yet") ||
		!strings.Contains(body, "parley inbox add chat --name Website --origin http://localhost:8080") {
		t.Fatalf("demo without a chat inbox: %d %s", resp.StatusCode, body)
	}
	in := e.chatInbox(t, chat.Settings{Origins: []string{"http://localhost:8080"}})
	resp, body = get(t, n, "/chat/demo", nil)
	script := `<script src="http://localhost:8080/chat/widget.js" data-inbox="` + strconv.FormatInt(in.ID, 10) + `"`
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, script) {
		t.Fatalf("demo page: %d, want the widget of inbox %d:\n%s", resp.StatusCode, in.ID, body)
	}
}
