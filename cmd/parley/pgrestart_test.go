package main

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/wstest"
)

// TestServeRidesOutAPostgresRestart stops and restarts a PostgreSQL cluster of the test's own
// (scripts/localpg, never the machine's shared one) under a running `parley serve`: while it is
// down, API requests are answered 503 with Retry-After (none hangs, none is a 500); once it is
// back, the server recovers without a restart: the LISTEN relay resubscribes and tells the
// agent's socket to catch up (feed.resumed, which makes the inbox page refetch), a new message
// is stored and announced live, and the job client works its jobs again.
func TestServeRidesOutAPostgresRestart(t *testing.T) {
	// .ci/run installs the server programs; without them this test fails rather than skips.
	if err := exec.Command("../../scripts/localpg", "bindir").Run(); err != nil {
		t.Fatalf("no PostgreSQL server programs for a cluster of the test's own: %v", err)
	}
	dir := t.TempDir()
	url := localpg(t, "up", dir, "--throwaway")
	t.Cleanup(func() { localpg(t, "rm", dir) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "error", "PARLEY_PUBLIC_URL": base}
	out, err := parley(t, env, "", "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	token := field(t, out, "API token:")
	serveInBackground(t, env, ln)
	agent, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/v1/events",
		http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("agent socket: %v", err)
	}
	defer agent.Close()
	if st, _ := postInbound(t, base, token, "before"); st != http.StatusCreated {
		t.Fatalf("inbound before the restart: %d", st)
	}
	waitEvent(t, agent, "message.created")

	localpg(t, "down", dir)
	for i := range 3 {
		for name, req := range map[string]func() (int, http.Header){
			"list":    func() (int, http.Header) { return getAuthed(t, base+"/api/v1/conversations", token) },
			"inbound": func() (int, http.Header) { return postInbound(t, base, token, "down-"+strconv.Itoa(i)) },
		} {
			if st, h := req(); st != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
				t.Errorf("%s while PostgreSQL is down: %d (Retry-After %q), want 503 with Retry-After", name, st, h.Get("Retry-After"))
			}
		}
	}

	localpg(t, "up", dir, "--throwaway")
	waitEvent(t, agent, "feed.resumed")
	deadline := time.Now().Add(30 * time.Second) // a guard, not a measure: the pool reconnects at once
	for {
		st, _ := postInbound(t, base, token, "after")
		if st == http.StatusCreated {
			break
		}
		if st != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("inbound after the restart: %d", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitEvent(t, agent, "message.created")
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for {
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM river_job j JOIN messages m
			ON j.args->'conversation_ids' @> to_jsonb(ARRAY[m.conversation_id])
			WHERE j.kind IN ('triage', 'sla_compute') AND j.state = 'completed' AND m.external_id = 'after'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatal("the new conversation's job (its triage, or its clocks' when routed at the ingest) was not worked after the restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE external_id LIKE 'down-%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d messages refused with 503 were stored (%v)", n, err)
	}
}

// localpg runs scripts/localpg and returns its standard output, trimmed.
func localpg(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("../../scripts/localpg", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("localpg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func getAuthed(t *testing.T, url, token string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return doBounded(t, req)
}

func postInbound(t *testing.T, base, token, id string) (int, http.Header) {
	t.Helper()
	body := `{"external_id":"` + id + `","contact":{"email":"` + id + `@example.com"},"text":"hello"}`
	req, _ := http.NewRequest("POST", base+"/api/v1/inbound", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return doBounded(t, req)
}

func doBounded(t *testing.T, req *http.Request) (int, http.Header) {
	t.Helper()
	bounded := &http.Client{Timeout: 15 * time.Second} // a request that hangs fails the test
	resp, err := bounded.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// waitEvent reads the agent socket's events until one of type typ.
func waitEvent(t *testing.T, c *websocket.Conn, typ string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		// A frame carries one event or an array of several.
		events, _ := wstest.DecodeEvents(msg)
		for _, e := range events {
			if e.Type == typ {
				return
			}
		}
	}
}
