package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/internal/dbtest"
)

// TestGracefulShutdown: `parley serve` told to stop (SIGTERM cancels its context) while an
// agent socket and a chat visitor socket are open and a request is still arriving: both
// sockets are closed with 1001 "going away" (the inbox and the widget reconnect from it at
// once), the request in flight completes and is stored, the job client stops, and serve
// returns within PARLEY_SHUTDOWN_TIMEOUT.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ws := "ws" + strings.TrimPrefix(base, "http")
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "info", "PARLEY_PUBLIC_URL": base,
		"PARLEY_SHUTDOWN_TIMEOUT": "60s"}
	out, err := parley(t, env, "", "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	token := field(t, out, "API token:")
	ctx, sigterm := context.WithCancel(context.Background())
	defer sigterm()
	var logs bytes.Buffer // the server's log, shown when the test fails
	c := &cli{getenv: func(k string) string { return env[k] }, stdout: &bytes.Buffer{}, stderr: &syncWriter{w: &logs}}
	a, err := open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ln) }()

	agent, _, err := websocket.DefaultDialer.Dial(ws+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("agent socket: %v", err)
	}
	defer agent.Close()
	page := httpGet(t, base+"/chat/demo")
	_, rest, _ := strings.Cut(page, `data-inbox="`)
	inboxID, _, _ := strings.Cut(rest, `"`)
	visitor, _, err := websocket.DefaultDialer.Dial(ws+"/chat/ws?inbox="+inboxID, http.Header{"Origin": {base}})
	if err != nil {
		t.Fatalf("visitor socket: %v", err)
	}
	defer visitor.Close()
	for _, f := range []map[string]any{{"type": "hello", "last_id": 0, "name": "Dana"}, {"type": "message", "client_id": "m1", "text": "Hi"}} {
		if err := visitor.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
	}
	readFrame(t, visitor) // welcome
	readFrame(t, visitor) // the ack
	readFrame(t, agent)   // the new conversation's event: the agent socket is in the hub

	// A request whose body is still arriving when the signal comes, on a connection of its own.
	// It asks "Expect: 100-continue": the server's "100 Continue" shows the handler has begun
	// reading the body, so the request is surely in flight (accepted, not in the backlog).
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	answers := bufio.NewReader(raw)
	first := `{"external_id":"in-flight","contact":{"email":"late@example.com"},`
	tail := `"text":"sent while the server stops"}`
	head := "POST /api/v1/inbound HTTP/1.1\r\nHost: " + ln.Addr().String() + "\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + strconv.Itoa(len(first)+len(tail)) + "\r\n\r\n"
	if _, err := raw.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	_ = raw.SetReadDeadline(time.Now().Add(20 * time.Second))
	if r, err := http.ReadResponse(answers, nil); err != nil || r.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue, got %v, %v", r, err)
	}
	if _, err := raw.Write([]byte(first)); err != nil {
		t.Fatal(err)
	}

	sigterm()
	for name, conn := range map[string]*websocket.Conn{"agent": agent, "visitor": visitor} {
		if code := closeCode(t, conn); code != websocket.CloseGoingAway {
			t.Errorf("%s socket closed with %d, want 1001", name, code)
		}
	}
	if _, err := raw.Write([]byte(tail)); err != nil {
		t.Fatalf("the rest of the in-flight request: %v", err)
	}
	_ = raw.SetReadDeadline(time.Now().Add(20 * time.Second))
	if r, err := http.ReadResponse(answers, nil); err != nil || r.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request answered %v, %v; want 201", r, err)
	} else {
		_ = r.Body.Close()
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(90 * time.Second): // a guard against a hang: PARLEY_SHUTDOWN_TIMEOUT is 60 s
		t.Fatal("serve still running 90 s after the signal")
	}
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE external_id = 'in-flight'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the in-flight message stored %d times (%v), want once", n, err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the listener still accepts after the shutdown")
	}
	if t.Failed() {
		t.Logf("server log:\n%s", logs.String())
	}
}

// syncWriter serializes the server's log writes, which come from many goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// readFrame reads one data frame, failing the test when the socket ends first.
func readFrame(t *testing.T, c *websocket.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := c.ReadMessage(); err != nil {
		t.Fatalf("read frame: %v", err)
	}
}

// closeCode reads until the socket closes and returns its close code (1006 without a close
// frame).
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Errorf("socket ended without a close frame: %v", err)
		return websocket.CloseAbnormalClosure
	}
}
