package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/internal/teamtest"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// uiEnv is a running server (pages, API, event feed and presence relay) on its own database,
// with a clock the test moves.
type uiEnv struct {
	pool  *pgxpool.Pool
	store *inbox.Store
	srv   *Server
	http  *httptest.Server

	mu  sync.Mutex
	now time.Time
}

func newUIEnv(t *testing.T) *uiEnv {
	t.Helper()
	return newUIEnvOn(t, dbtest.Pool(t))
}

func newUIEnvOn(t *testing.T, pool *pgxpool.Pool) *uiEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	e := &uiEnv{pool: pool, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	e.store = inbox.New(pool, inbox.Options{Jobs: jobs, Clock: e.clock, SecretKey: "test-key", PasswordCost: bcrypt.MinCost})
	relay := pgrelay.New(pool, nil)
	feed := inbox.NewFeed(relay, nil)
	hooks, err := webhook.New(webhook.Config{Pool: pool, Store: e.store, SecretKey: "test-key", Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = New(Config{Store: e.store, Pool: pool, Events: feed, Relay: relay, Clock: e.clock, Logger: testLogger(t),
		Rules: workflow.NewRules(e.pool, e.store), SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store),
		Webhooks: hooks, Away: workflow.NewAway(e.store, jobs, testAwayAfter)})
	done := make(chan struct{})
	go func() { _ = relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for _, ready := range []<-chan struct{}{feed.Ready(), e.srv.PresenceReady()} {
		select {
		case <-ready:
		case <-time.After(10 * time.Second):
			t.Fatal("the event feed or the presence relay did not start listening")
		}
	}
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	return e
}

func (e *uiEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *uiEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// user is a person with a browser: a cookie jar that follows no redirects.
type user struct {
	agent  inbox.Agent
	client *http.Client
	e      *uiEnv
}

// newUser creates an agent of role and signs them in through the form.
func (e *uiEnv) newUser(t *testing.T, name string, role inbox.Role) *user {
	t.Helper()
	a, err := e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: name + "@example.com", Name: name, Role: role, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	if role == inbox.RoleAgent {
		teamtest.FrontDesk(t, e.store, a.ID)
	}
	u := e.anonymous(t)
	u.agent = a
	if st, _ := u.postForm(t, "/login", url.Values{"email": {a.Email}, "password": {"correct-horse-battery"}}); st != http.StatusSeeOther {
		t.Fatalf("sign in %s: status %d", name, st)
	}
	return u
}

// anonymous is a browser with no session.
func (e *uiEnv) anonymous(t *testing.T) *user {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &user{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// do sends a request with extra headers and returns the status and body.
func (u *user) do(t *testing.T, method, path, contentType, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u.e.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := u.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); loc != "" {
		return resp.StatusCode, loc
	}
	return resp.StatusCode, string(b)
}

func (u *user) get(t *testing.T, path string) (int, string) {
	t.Helper()
	return u.do(t, http.MethodGet, path, "", "")
}

func (u *user) postForm(t *testing.T, path string, v url.Values) (int, string) {
	t.Helper()
	return u.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", v.Encode())
}

func (u *user) postJSON(t *testing.T, path, body string, headers ...string) (int, string) {
	t.Helper()
	return u.do(t, http.MethodPost, path, "application/json", body, headers...)
}

// customer stores a message from a customer on the API channel.
func (e *uiEnv) customer(t *testing.T, id, email, name, subject, text string) inbox.IngestResult {
	t.Helper()
	res, err := e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: id,
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: email}, Name: name, Subject: subject, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q in:\n%.3000s", what, w, body)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s: unexpected %q", what, w)
		}
	}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// testLogger writes the server's warnings and errors to the test's log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
