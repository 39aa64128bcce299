package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

func TestInboxAddChat(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": "SWLp6Ku9i/ASQCOYYin7Hi6IGnjZlncPTR69JOY0b1Q="}
	if out, err := parley(t, env, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if out, err := parley(t, env, "", "inbox", "add", "api", "--name", "CRM"); err != nil {
		t.Fatalf("api inbox: %v %s", err, out)
	}
	out, err := parley(t, env, "", "inbox", "add", "chat", "--name", "Shop", "--origin", "https://shop.example.com",
		"--origin", "http://localhost:3000")
	if err != nil {
		t.Fatalf("inbox add chat: %v\n%s", err, out)
	}
	secret := field(t, out, "identity secret (shown once):")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	id, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		t.Fatalf("no inbox id last in %q", out)
	}
	c := &cli{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: io.Discard}
	a, err := open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	in, err := a.store.GetInbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var settings chat.Settings
	var sealed chat.Secrets
	if err := in.DecodeSettings(&settings); err != nil {
		t.Fatal(err)
	}
	if err := a.store.OpenSecrets(in, &sealed); err != nil {
		t.Fatal(err)
	}
	if in.Kind != inbox.ChannelChat || len(settings.Origins) != 2 || sealed.IdentitySecret != secret || len(secret) != 64 {
		t.Fatalf("stored %+v %+v, printed secret %q", in, settings, secret)
	}

	failures := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--name", "A"}, env, "--origin is required"},
		{[]string{"--name", "B", "--origin", "shop.example.com/path"}, env, "not an origin"},
		{[]string{"--name", "C", "--origin", "https://a.example", "--email-fallback-inbox", "1"}, env, "not an email inbox"},
		{[]string{"--name", "D", "--origin", "https://a.example", "--team", "Nobody"}, env, "Nobody"},
		{[]string{"--name", "E", "--origin", "https://a.example"}, map[string]string{"DATABASE_URL": env["DATABASE_URL"]}, "PARLEY_SECRET_KEY"},
	}
	for _, f := range failures {
		out, err := parley(t, f.env, "", append([]string{"inbox", "add", "chat"}, f.args...)...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("inbox add chat %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
}

// `parley demo` then `parley serve`: the demo page embeds the demo's chat inbox, a visitor on
// that page chats over the real socket, and an agent's reply through the API reaches them.
func TestDemoChatEndToEnd(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn", "PARLEY_PUBLIC_URL": base}
	out, err := parley(t, env, "", "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	token := field(t, out, "API token:")
	if !strings.Contains(out, base+"/chat/demo") {
		t.Fatalf("demo does not tell where the chat demo is:\n%s", out)
	}
	serveInBackground(t, env, ln)

	page := httpGet(t, base+"/chat/demo")
	_, rest, ok := strings.Cut(page, `data-inbox="`)
	if !ok || !strings.Contains(page, `src="`+base+`/chat/widget.js"`) {
		t.Fatalf("demo page does not embed the widget:\n%s", page)
	}
	inboxID, _, _ := strings.Cut(rest, `"`)
	if js := httpGet(t, base+"/chat/widget.js"); !strings.Contains(js, "Parley") {
		t.Fatal("widget.js not served")
	}

	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/chat/ws?inbox="+inboxID,
		http.Header{"Origin": {base}})
	if err != nil {
		t.Fatalf("visitor socket from the demo page's origin: %v", err)
	}
	defer conn.Close()
	next := func() map[string]any {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var f map[string]any
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, f := range []map[string]any{{"type": "hello", "last_id": 0, "name": "Dana"}, {"type": "message", "client_id": "m1", "text": "Do you ship to Norway?"}} {
		if err := conn.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
	}
	if f := next(); f["type"] != "welcome" {
		t.Fatalf("want welcome, got %v", f)
	}
	ack := next()
	if ack["type"] != "message" || ack["client_id"] != "m1" {
		t.Fatalf("want the ack, got %v", ack)
	}

	// The agent finds the conversation in the inbox, the newest beside the demo's own chats, and
	// answers through the API.
	msg := apiJSON(t, "GET", base+"/api/v1/conversations?channel=chat", token, nil)
	convs, _ := msg["conversations"].([]any)
	if len(convs) != len(demoChatList)+1 {
		t.Fatalf("chat conversations: %v", msg)
	}
	conv := int64(convs[0].(map[string]any)["id"].(float64))
	apiJSON(t, "POST", base+"/api/v1/conversations/"+strconv.FormatInt(conv, 10)+"/messages", token,
		map[string]any{"type": "reply", "text": "Yes, in 3 days."})
	for {
		f := next()
		if f["type"] == "message" && f["direction"] == "outbound" {
			if f["text"] != "Yes, in 3 days." {
				t.Fatalf("reply frame %v", f)
			}
			break
		}
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func apiJSON(t *testing.T, method, url, token string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v", method, url, resp.StatusCode, out)
	}
	return out
}

func TestDemoOrigins(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://localhost:8080":  "http://localhost:8080 http://127.0.0.1:8080",
		"http://127.0.0.1:9000":  "http://127.0.0.1:9000 http://localhost:9000",
		"https://chat.example":   "https://chat.example",
		"https://localhost":      "https://localhost https://127.0.0.1",
		"not a url at all\x7f:/": "",
	} {
		if got := strings.Join(demoOrigins(in), " "); got != want {
			t.Errorf("demoOrigins(%q) = %q, want %q", in, got, want)
		}
	}
}
