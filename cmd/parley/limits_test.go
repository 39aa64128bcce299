package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/internal/dbtest"
)

// limitedServer runs `parley serve` with the demo's chat inbox and the extra env on a loopback
// port; it returns the base URL and the chat inbox's id.
func limitedServer(t *testing.T, extra map[string]string) (base, inboxID string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base = "http://" + ln.Addr().String()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn", "PARLEY_PUBLIC_URL": base}
	if out, err := parley(t, env, "", "demo", "--conversations", "0"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for k, v := range extra {
		env[k] = v
	}
	serveInBackground(t, env, ln)
	page := httpGet(t, base+"/chat/demo")
	_, rest, ok := strings.Cut(page, `data-inbox="`)
	if !ok {
		t.Fatalf("no chat inbox on the demo page:\n%s", page)
	}
	inboxID, _, _ = strings.Cut(rest, `"`)
	return base, inboxID
}

// chatHello opens a visitor socket, forwarded for xff when it is set, sends hello and returns
// the first frame and the close code that follows a refusal (0 when welcomed).
func chatHello(t *testing.T, base, inboxID, xff string) (first map[string]any, closeCode int) {
	t.Helper()
	h := http.Header{"Origin": {base}}
	if xff != "" {
		h.Set("X-Forwarded-For", xff)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/chat/ws?inbox="+inboxID, h)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.WriteJSON(map[string]any{"type": "hello", "last_id": 0}); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.ReadJSON(&first); err != nil {
		t.Fatal(err)
	}
	if first["type"] == "welcome" {
		return first, 0
	}
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return first, ce.Code
			}
			t.Fatalf("refused without a close frame: %v", err)
		}
	}
}

// TestChatLimitsCountTheForwardedAddress: behind a trusted proxy each forwarded client has its
// own sockets and new visitors.
func TestChatLimitsCountTheForwardedAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		code string
	}{
		{map[string]string{"PARLEY_CHAT_SOCKETS_PER_IP": "2", "PARLEY_CHAT_NEW_VISITORS_PER_MIN": "0"}, chat.CodeTooManySockets},
		{map[string]string{"PARLEY_CHAT_NEW_VISITORS_PER_MIN": "2", "PARLEY_CHAT_SOCKETS_PER_IP": "0"}, chat.CodeTooManyVisitors},
	} {
		tc.env["PARLEY_TRUSTED_PROXIES"] = "127.0.0.1"
		base, inboxID := limitedServer(t, tc.env)
		for range 2 {
			if f, _ := chatHello(t, base, inboxID, "203.0.113.7"); f["type"] != "welcome" {
				t.Fatalf("%s: within the limits: %v", tc.code, f)
			}
		}
		f, code := chatHello(t, base, inboxID, "198.51.100.1, 203.0.113.7")
		if f["code"] != tc.code || f["retry_after"] == nil || code != chat.CloseLimited {
			t.Fatalf("a third visitor socket of 203.0.113.7: %v, close %d; want %s and %d", f, code, tc.code, chat.CloseLimited)
		}
		if f, _ := chatHello(t, base, inboxID, "203.0.113.8"); f["type"] != "welcome" {
			t.Fatalf("%s: another client through the same proxy: %v", tc.code, f)
		}
	}
}

// TestAForgedForwardedForIsNotBelieved: without trusted proxies the peer's address counts.
func TestAForgedForwardedForIsNotBelieved(t *testing.T) {
	t.Parallel()
	base, inboxID := limitedServer(t, map[string]string{"PARLEY_CHAT_SOCKETS_PER_IP": "1"})
	if f, _ := chatHello(t, base, inboxID, "203.0.113.7"); f["type"] != "welcome" {
		t.Fatalf("first socket: %v", f)
	}
	if f, code := chatHello(t, base, inboxID, "203.0.113.8"); f["code"] != chat.CodeTooManySockets || code != chat.CloseLimited {
		t.Fatalf("a second socket from 127.0.0.1 claiming another address: %v, close %d", f, code)
	}
}

// TestPublicEndpointsAreCappedPerAddress: while one request of an address is in flight (its
// body still coming), a cap of 1 answers its other public requests 429 with Retry-After;
// another forwarded address, and the agent pages, are not held back.
func TestPublicEndpointsAreCappedPerAddress(t *testing.T) {
	t.Parallel()
	base, _ := limitedServer(t, map[string]string{"PARLEY_TRUSTED_PROXIES": "127.0.0.1", "PARLEY_MAX_CONNS_PER_IP": "1"})
	addr := strings.TrimPrefix(base, "http://")
	held, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	fmt.Fprintf(held, "POST /login HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\nemail=a")
	get := func(path, xff string) *http.Response {
		t.Helper()
		method, path, ok := strings.Cut(path, " ")
		if !ok {
			method, path = http.MethodGet, method
		}
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// The held request reaches its handler on the server's own time (under the whole suite's
	// load that took over 4 s twice): ask until it counts, for up to 20 s, a guard and not a
	// measure.
	for i := 0; ; i++ {
		resp := get("/chat/widget.js", "203.0.113.7")
		if resp.StatusCode == http.StatusTooManyRequests {
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			break
		}
		if i == 1000 {
			t.Fatalf("widget.js while a sign-in of the same address is in flight: %d, want 429", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for path, want := range map[string]int{"/login": 429, "POST /webhooks/twilio/sms": 429, "/healthz": 200} {
		if resp := get(path, "203.0.113.7"); (resp.StatusCode == 429) != (want == 429) {
			t.Errorf("%s from the busy address: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp := get("/login", "203.0.113.8"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /login from another forwarded address: %d, want 200", resp.StatusCode)
	}
	// The held request ends: the address may come back.
	fmt.Fprintf(held, "%s", strings.Repeat("x", 33))
	if _, err := http.ReadResponse(bufio.NewReader(held), nil); err != nil {
		t.Fatal(err)
	}
	// Its slot is given back when its handler returns, which may be just after the client has
	// read the answer: ask again for up to 5 s, a guard and not a measure.
	for i := 0; ; i++ {
		resp := get("/login", "203.0.113.7")
		if resp.StatusCode == http.StatusOK {
			break
		}
		if resp.StatusCode != http.StatusTooManyRequests || i == 250 {
			t.Fatalf("GET /login once the held request ended: %d, want 200", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
