package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// startLimited serves h with limits l on a loopback port until the test ends.
func startLimited(t *testing.T, h http.Handler, l httpLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(h, l)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// TestATrickledBodyIsCut sends a body one byte every 200 ms to a server whose requests must be
// read within a second: the handler's read fails and the connection closes long before the
// body would have ended (20 s).
func TestATrickledBodyIsCut(t *testing.T) {
	readErr := make(chan error, 1)
	addr := startLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}), httpLimits{ReadHeader: time.Second, Read: time.Second, Idle: time.Minute})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
	sent := 0
	for ; sent < 100; sent++ {
		if _, err := conn.Write([]byte("a")); err != nil {
			break // the server closed the connection
		}
		select {
		case err := <-readErr:
			if err == nil {
				t.Fatal("the handler read the whole trickled body")
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("sent %d of 100 bytes without the server cutting the request", sent)
}

// TestAnIdleKeepAliveIsClosed: after one request, a connection left idle is closed by the
// server.
func TestAnIdleKeepAliveIsClosed(t *testing.T) {
	addr := startLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		httpLimits{ReadHeader: time.Second, Read: time.Second, Idle: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle keep-alive: %v, want the server to close it", err)
	}
}

// TestOversizedHeadersAreRefused: headers over the limit get 431.
func TestOversizedHeadersAreRefused(t *testing.T) {
	addr := startLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), serverLimits())
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("x", 200<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("200 KiB of headers: %d, want 431", resp.StatusCode)
	}
}

// TestASocketOutlivesTheReadLimit: a WebSocket upgraded through the limited server stays open
// past the request read limit (the upgrade clears the connection's deadlines).
func TestASocketOutlivesTheReadLimit(t *testing.T) {
	up := websocket.Upgrader{}
	addr := startLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			typ, msg, err := c.ReadMessage()
			if err != nil || c.WriteMessage(typ, msg) != nil {
				return
			}
		}
	}), httpLimits{ReadHeader: 300 * time.Millisecond, Read: 300 * time.Millisecond, Idle: 300 * time.Millisecond})
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(time.Second) // past every limit of the server
	if err := c.WriteMessage(websocket.TextMessage, []byte("still there?")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := c.ReadMessage(); err != nil || string(msg) != "still there?" {
		t.Fatalf("after a second: %q %v, want the echo", msg, err)
	}
}

// TestAClientThatDoesNotReadIsCut: a client asks for a big response and never reads it; the
// handler's writes fail once the write limit passes without progress, which frees the
// connection.
func TestAClientThatDoesNotReadIsCut(t *testing.T) {
	writeErr := make(chan error, 1)
	addr := startLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 32<<10)
		for range 8192 { // 256 MiB: far more than the socket buffers hold
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}), httpLimits{ReadHeader: time.Second, Read: time.Second, Idle: time.Minute, Write: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /audit.csv HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	select {
	case err := <-writeErr:
		if err == nil {
			t.Fatal("the handler wrote 256 MiB to a client that read nothing")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the handler is still writing to a client that reads nothing")
	}
}

// TestAStreamThatIsReadOutlivesTheWriteLimit: a response streamed in chunks for longer than the
// write limit reaches a client that reads it: each write moves the deadline.
func TestAStreamThatIsReadOutlivesTheWriteLimit(t *testing.T) {
	addr := startLimited(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for i := range 10 {
			fmt.Fprintf(w, "row %d\n", i)
			_ = rc.Flush()
			time.Sleep(100 * time.Millisecond) // ten times: well past the 300 ms limit in all
		}
	}), httpLimits{ReadHeader: time.Second, Read: time.Second, Idle: time.Minute, Write: 300 * time.Millisecond})
	resp, err := http.Get("http://" + addr + "/audit.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || !strings.HasSuffix(string(body), "row 9\n") {
		t.Fatalf("read %q, %v; want all ten rows", body, err)
	}
}
