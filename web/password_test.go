package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// newResetEnv is a uiEnv whose server takes "Forgot password?" requests.
func newResetEnv(t *testing.T) *uiEnv {
	t.Helper()
	e := newUIEnv(t)
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Store: e.store, Pool: e.pool, Clock: e.clock, Logger: testLogger(t),
		Rules: workflow.NewRules(e.pool, e.store), SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store),
		Resets: workflow.NewPasswordResets(e.store, jobs)})
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	return e
}

func (e *uiEnv) countRows(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestChangePasswordPage(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	if st, loc := e.anonymous(t).get(t, "/settings/password"); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("anonymous: %d %q", st, loc)
	}
	u := e.newUser(t, "ana", inbox.RoleAgent)
	if st, body := u.get(t, "/settings/password"); st != http.StatusOK || !strings.Contains(body, "Sign out of every other session") {
		t.Fatalf("page: %d", st)
	}
	for _, tc := range []struct {
		current, next, confirm, want string
	}{
		{"wrong-password-x", "a-new-long-password", "a-new-long-password", "current password is wrong"},
		{"correct-horse-battery", "a-new-long-password", "another-thing-here", "repetition differ"},
		{"correct-horse-battery", "short", "short", "at least 10 characters"},
		{"correct-horse-battery", "Basketball", "Basketball", "most common"},
		{"correct-horse-battery", strings.Repeat("ü", 50), strings.Repeat("ü", 50), "at most 72 bytes"},
		{"correct-horse-battery", strings.Repeat("x", 100000), strings.Repeat("x", 100000), "too large"},
	} {
		st, body := u.postForm(t, "/settings/password", url.Values{"current": {tc.current}, "new": {tc.next}, "confirm": {tc.confirm}})
		if st/100 != 4 || !strings.Contains(body, tc.want) {
			t.Errorf("%q -> %q: %d, want a 4xx saying %q", tc.current, tc.next, st, tc.want)
		}
	}
	if n := e.countRows(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditPasswordChanged); n != 0 {
		t.Fatalf("%d changes recorded after refusals", n)
	}
	st, loc := u.postForm(t, "/settings/password", url.Values{"current": {"correct-horse-battery"},
		"new": {"a-new-long-password"}, "confirm": {"a-new-long-password"}})
	if st != http.StatusSeeOther || loc != "/settings/password?saved=password" {
		t.Fatalf("change: %d %q", st, loc)
	}
	if _, err := e.store.Authenticate(t.Context(), "ana@example.com", "a-new-long-password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if st, _ := u.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("the session ended with the change: %d", st)
	}
}

func TestSignOutOtherSessionsPage(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	here := e.newUser(t, "ana", inbox.RoleAgent)
	there := e.anonymous(t)
	if st, _ := there.postForm(t, "/login", url.Values{"email": {"ana@example.com"}, "password": {"correct-horse-battery"}}); st != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", st)
	}
	bob := e.newUser(t, "bob", inbox.RoleAgent)
	// A cross-site form post is refused.
	if st, _ := here.do(t, http.MethodPost, "/settings/sessions/signout-others", "application/x-www-form-urlencoded", "",
		"Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Fatalf("cross-site: %d", st)
	}
	if st, _ := there.get(t, "/inbox"); st != http.StatusOK {
		t.Fatal("a refused request signed the other session out")
	}
	if st, loc := here.postForm(t, "/settings/sessions/signout-others", nil); st != http.StatusSeeOther || !strings.Contains(loc, "saved=sessions") {
		t.Fatalf("sign out others: %d %q", st, loc)
	}
	if st, _ := here.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("this session: %d", st)
	}
	if st, _ := there.get(t, "/inbox"); st != http.StatusSeeOther {
		t.Fatalf("the other session: %d, want a redirect to sign in", st)
	}
	if st, _ := bob.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("another agent's session: %d", st)
	}
	if n := e.countRows(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor_id = $2`, inbox.AuditSignOutAll, here.agent.ID); n != 1 {
		t.Fatalf("%d signout.all events", n)
	}
}

func TestForgotPasswordAnswersTheSame(t *testing.T) {
	t.Parallel()
	e := newResetEnv(t)
	a, err := e.store.CreateAgent(t.Context(), inbox.NewAgent{Email: "ana@example.com", Name: "Ana", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	anon := e.anonymous(t)
	if st, body := anon.get(t, "/login"); st != http.StatusOK || !strings.Contains(body, `href="/forgot"`) {
		t.Fatalf("the sign-in form has no Forgot password? link: %d", st)
	}
	if st, body := anon.get(t, "/forgot"); st != http.StatusOK || !strings.Contains(body, `action="/forgot"`) {
		t.Fatalf("forgot form: %d", st)
	}
	stKnown, known := anon.postForm(t, "/forgot", url.Values{"email": {"ANA@example.com"}})
	stUnknown, unknown := anon.postForm(t, "/forgot", url.Values{"email": {"nobody@example.com"}})
	norm := func(s string) string {
		s = strings.ReplaceAll(s, "ana@example.com", "X")
		return strings.ReplaceAll(s, "nobody@example.com", "X")
	}
	if stKnown != http.StatusOK || stKnown != stUnknown || norm(known) != norm(unknown) {
		t.Fatalf("answers differ: %d vs %d", stKnown, stUnknown)
	}
	if n := e.countRows(t, `SELECT count(*) FROM river_job WHERE kind = 'password_reset_mail' AND (args->>'agent_id')::bigint = $1`, a.ID); n != 1 {
		t.Fatalf("%d mail jobs for the agent", n)
	}
	if n := e.countRows(t, `SELECT count(*) FROM river_job WHERE kind = 'password_reset_mail'`); n != 1 {
		t.Fatalf("%d mail jobs in all, want 1", n)
	}
	if n := e.countRows(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditResetRequested); n != 2 {
		t.Fatalf("%d reset_requested events", n)
	}
	if st, _ := anon.postForm(t, "/forgot", url.Values{"email": {"not an address"}}); st != http.StatusBadRequest {
		t.Fatalf("bad address: %d", st)
	}
	// The same address is limited, whether or not it exists.
	for range 2 {
		anon.postForm(t, "/forgot", url.Values{"email": {"nobody@example.com"}})
	}
	if st, _ := anon.postForm(t, "/forgot", url.Values{"email": {"nobody@example.com"}}); st != http.StatusTooManyRequests {
		t.Fatalf("fourth request for one address: %d", st)
	}
}

func TestResetLinkPage(t *testing.T) {
	t.Parallel()
	e := newResetEnv(t)
	a, err := e.store.CreateAgent(t.Context(), inbox.NewAgent{Email: "ana@example.com", Name: "Ana", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	signedIn := e.anonymous(t)
	if st, _ := signedIn.postForm(t, "/login", url.Values{"email": {a.Email}, "password": {"correct-horse-battery"}}); st != http.StatusSeeOther {
		t.Fatal("sign in")
	}
	token, _, err := e.store.IssueReset(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	anon := e.anonymous(t)
	for _, bad := range []string{"pr_nope", "anything", token + "x"} {
		if st, body := anon.get(t, "/reset/"+bad); st != http.StatusNotFound || !strings.Contains(body, "invalid, expired or already used") {
			t.Errorf("GET /reset/%s: %d", bad, st)
		}
	}
	if st, body := anon.get(t, "/reset/"+token); st != http.StatusOK || !strings.Contains(body, "ana@example.com") {
		t.Fatalf("reset form: %d", st)
	}
	if st, body := anon.postForm(t, "/reset/"+token, url.Values{"new": {"1234567890"}, "confirm": {"1234567890"}}); st != http.StatusBadRequest || !strings.Contains(body, "most common") {
		t.Fatalf("common password: %d", st)
	}
	long := strings.Repeat("y", 73)
	if st, body := anon.postForm(t, "/reset/"+token, url.Values{"new": {long}, "confirm": {long}}); st != http.StatusBadRequest || !strings.Contains(body, "72 bytes") {
		t.Fatalf("long password: %d", st)
	}
	if st, _ := anon.do(t, http.MethodPost, "/reset/"+token, "application/x-www-form-urlencoded",
		url.Values{"new": {"a-brand-new-password"}, "confirm": {"a-brand-new-password"}}.Encode(), "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Fatalf("cross-site reset: %d", st)
	}
	st, body := anon.postForm(t, "/reset/"+token, url.Values{"new": {"a-brand-new-password"}, "confirm": {"a-brand-new-password"}})
	if st != http.StatusOK || !strings.Contains(body, "Your password is set") {
		t.Fatalf("reset: %d", st)
	}
	if st, _ := anon.postForm(t, "/reset/"+token, url.Values{"new": {"another-new-password"}, "confirm": {"another-new-password"}}); st != http.StatusNotFound {
		t.Fatalf("second use: %d", st)
	}
	if st, _ := signedIn.get(t, "/inbox"); st != http.StatusSeeOther {
		t.Fatalf("a session survived the reset: %d", st)
	}
	if st, _ := anon.postForm(t, "/login", url.Values{"email": {a.Email}, "password": {"correct-horse-battery"}}); st != http.StatusUnauthorized {
		t.Fatalf("old password: %d", st)
	}
	if st, _ := anon.postForm(t, "/login", url.Values{"email": {a.Email}, "password": {"a-brand-new-password"}}); st != http.StatusSeeOther {
		t.Fatalf("new password: %d", st)
	}
}

func TestAdminFormAppliesThePasswordPolicy(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "root", inbox.RoleAdmin)
	for pw, want := range map[string]string{
		"Basketball":            "most common",
		"nine-char":             "at least 10 characters",
		strings.Repeat("z", 73): "at most 72 bytes",
	} {
		st, body := admin.postForm(t, "/admin/agents", url.Values{"name": {"New"}, "email": {"new@example.com"}, "role": {"agent"}, "password": {pw}})
		if st != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("password %q: %d, want 400 saying %q", pw, st, want)
		}
	}
	if n := e.countRows(t, `SELECT count(*) FROM agents WHERE email = 'new@example.com'`); n != 0 {
		t.Fatal("a refused password created the agent")
	}
}

// TestChangePasswordThrottlesWrongGuesses: a session guessing the current password is slowed
// down like a sign-in: 429 once the failures the throttle allows are spent.
func TestChangePasswordThrottlesWrongGuesses(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ana", inbox.RoleAgent)
	last := 0
	for i := 0; i < 20 && last != http.StatusTooManyRequests; i++ {
		last, _ = u.postForm(t, "/settings/password", url.Values{"current": {"wrong guess"}, "new": {"a-fresh-passphrase"}, "confirm": {"a-fresh-passphrase"}})
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("20 wrong current passwords: last answer %d, want 429", last)
	}
}
