// Package wstest opens real WebSocket connections for the tests of the hubs that fan events
// out to sockets.
package wstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// Pair returns the server side of a real WebSocket connection, upgraded by up, and its client
// side. The connection and its server end with the test.
func Pair(t testing.TB, up *websocket.Upgrader) (server, client *websocket.Conn) {
	t.Helper()
	got := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("wstest: upgrade: %v", err)
			close(got)
			return
		}
		got <- c
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatalf("wstest: dial: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	server, ok := <-got
	if !ok {
		t.FailNow()
	}
	t.Cleanup(func() { server.Close() })
	return server, client
}
