package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

func TestSignInSetsAHardenedCookieAndSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	if st, loc := e.anonymous(t).get(t, "/inbox?view=mine"); st != http.StatusSeeOther || loc != "/login?next=%2Finbox%3Fview%3Dmine" {
		t.Fatalf("anonymous /inbox: %d %q, want a redirect to the sign-in form", st, loc)
	}
	u := e.newUser(t, "ana", inbox.RoleAgent)
	base, _ := url.Parse(e.http.URL)
	cookies := u.client.Jar.Cookies(base)
	if len(cookies) != 1 || cookies[0].Name != sessionCookie || !strings.HasPrefix(cookies[0].Value, "ps_") {
		t.Fatalf("cookies after sign-in: %v", cookies)
	}
	// The jar hides the attributes: read them from a raw sign-in, which also names an outside next.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(e.http.URL+"/login", url.Values{"email": {"ana@example.com"}, "password": {"correct-horse-battery"}, "next": {"//evil.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); got != "/inbox" {
		t.Errorf("next=//evil.example/ led to %q, want /inbox", got)
	}
	set := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("Set-Cookie %q is Secure over plain HTTP with no https public URL", set)
	}

	if st, body := u.get(t, "/inbox"); st != http.StatusOK || !strings.Contains(body, `data-agent-name="ana"`) {
		t.Fatalf("/inbox signed in: %d", st)
	}
	if st, _ := u.postForm(t, "/logout", nil); st != http.StatusSeeOther {
		t.Fatalf("sign out: %d", st)
	}
	if st, _ := u.get(t, "/inbox"); st != http.StatusSeeOther {
		t.Fatalf("/inbox after sign-out: %d, want a redirect", st)
	}
	var n int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM web_sessions WHERE agent_id = $1`, u.agent.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("sessions left: %d (%v), want the other sign-in's", n, err)
	}
}

func TestSecureCookieWhenThePublicURLIsHTTPS(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	srv := New(Config{Store: e.store, Pool: e.pool, PublicURL: "https://support.example.com", Rules: workflow.NewRules(e.pool, e.store),
		SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store)})
	rec := &responseRecorder{header: http.Header{}}
	srv.setSessionCookie(rec, &http.Request{}, "ps_x", 60)
	if c := rec.header.Get("Set-Cookie"); !strings.Contains(c, "Secure") {
		t.Fatalf("Set-Cookie %q is not Secure", c)
	}
}

type responseRecorder struct{ header http.Header }

func (r *responseRecorder) Header() http.Header         { return r.header }
func (r *responseRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *responseRecorder) WriteHeader(int)             {}

func TestSessionsEndWhenIdleOrExpired(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ben", inbox.RoleAgent)
	e.advance(23 * time.Hour)
	if st, _ := u.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("after 23 h: %d", st)
	}
	for i := 0; i < 7; i++ { // used daily, the session still ends a week after sign-in
		e.advance(23 * time.Hour)
		st, _ := u.get(t, "/inbox")
		if want := http.StatusOK; i == 6 {
			if st != http.StatusSeeOther {
				t.Fatalf("after %d days: %d, want the sign-in redirect", 7, st)
			}
		} else if st != want {
			t.Fatalf("day %d: %d", i+2, st)
		}
	}
	v := e.newUser(t, "cy", inbox.RoleAgent)
	e.advance(sessionIdle + time.Minute)
	if st, _ := v.get(t, "/inbox"); st != http.StatusSeeOther {
		t.Fatalf("after a day unused: %d, want the sign-in redirect", st)
	}
}

func TestSignInIsThrottledPerAccountAndAddressAndPerAddress(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	e.newUser(t, "dee", inbox.RoleAgent)
	anon := e.anonymous(t)
	wrong := url.Values{"email": {"dee@example.com"}, "password": {"wrong-password"}}
	for i := 0; i < loginPerAccount; i++ {
		if st, body := anon.postForm(t, "/login", wrong); st != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password") {
			t.Fatalf("failure %d: %d", i+1, st)
		}
	}
	right := url.Values{"email": {"dee@example.com"}, "password": {"correct-horse-battery"}}
	if st, body := anon.postForm(t, "/login", right); st != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("the right password after %d failures: %d, want 429", loginPerAccount, st)
	}
	e.advance(loginWindow)
	if st, _ := anon.postForm(t, "/login", right); st != http.StatusSeeOther {
		t.Fatalf("after the window: %d, want a sign-in", st)
	}

	// Many emails from one address hit the per-address limit.
	for i := 0; i < loginPerIP; i++ {
		anon.postForm(t, "/login", url.Values{"email": {"x" + i64(int64(i)) + "@example.com"}, "password": {"nope-nope"}})
	}
	if st, _ := anon.postForm(t, "/login", right); st != http.StatusTooManyRequests {
		t.Fatalf("after %d failures from one address: %d, want 429", loginPerIP, st)
	}
}

func TestCrossOriginWritesWithTheCookieAreRefused(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "eve", inbox.RoleAgent)
	res := e.customer(t, "x-1", "cust@example.com", "Cust", "Hi", "hello")
	path := "/api/v1/conversations/" + i64(res.ConversationID) + "/status"
	if st, body := u.postJSON(t, path, `{"status":"pending"}`, "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden || !strings.Contains(body, "cross_origin") {
		t.Fatalf("cross-site POST with the cookie: %d %s", st, body)
	}
	if st, _ := u.postJSON(t, path, `{"status":"pending"}`, "Origin", "https://evil.example"); st != http.StatusForbidden {
		t.Fatalf("foreign Origin with the cookie: %d", st)
	}
	c, _ := e.store.GetConversation(t.Context(), res.ConversationID)
	if c.Status != inbox.StatusNew {
		t.Fatalf("a refused request changed the status to %s", c.Status)
	}
	if st, _ := u.postJSON(t, path, `{"status":"pending"}`, "Sec-Fetch-Site", "same-origin"); st != http.StatusOK {
		t.Fatalf("same-origin POST: %d", st)
	}
	// A bearer token is not a browser credential: no origin check.
	token, err := e.store.CreateToken(t.Context(), u.agent.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.anonymous(t).postJSON(t, path, `{"status":"open"}`, "Authorization", "Bearer "+token, "Sec-Fetch-Site", "cross-site"); st != http.StatusOK {
		t.Fatalf("bearer POST marked cross-site: %d", st)
	}
	// Login CSRF: a foreign page cannot sign a browser in.
	if st, _ := e.anonymous(t).do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded",
		"email=eve%40example.com&password=correct-horse-battery", "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", st)
	}
}
