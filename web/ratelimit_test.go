package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/netlimit"
	"github.com/parleyhq/parley/workflow"
)

// serveWith swaps the env's server for one built with mod applied to its Config (sharing the
// store, database and clock); users made afterwards talk to it.
func (e *uiEnv) serveWith(t *testing.T, mod func(*Config)) {
	t.Helper()
	cfg := Config{Store: e.store, Pool: e.pool, Clock: e.clock, Logger: testLogger(t), Rules: workflow.NewRules(e.pool, e.store),
		SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store)}
	mod(&cfg)
	e.srv = New(cfg)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
}

func behindProxy(t *testing.T) *uiEnv {
	t.Helper()
	e := newUIEnv(t)
	e.serveWith(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	return e
}

// signIn posts the form from a fresh browser whose proxy reports address from.
func (e *uiEnv) signIn(t *testing.T, email, password, from string) int {
	t.Helper()
	st, _ := e.anonymous(t).do(t, http.MethodPost, "/login", "application/x-www-form-urlencoded",
		url.Values{"email": {email}, "password": {password}}.Encode(), "X-Forwarded-For", from)
	return st
}

func TestWrongPasswordsFromOneAddressCannotLockTheAccountForOthers(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	e.newUser(t, "vic", inbox.RoleAgent)
	// The old attack: five wrong passwords locked the account for everyone for 15 minutes. Now
	// the attacker may hammer away; only the attacker slows down.
	for i := 0; i < 50; i++ {
		st := e.signIn(t, "vic@example.com", "guess-"+i64(int64(i)), "203.0.113.66")
		if want := http.StatusUnauthorized; i >= loginPerAccount {
			want = http.StatusTooManyRequests
			if st != want {
				t.Fatalf("attempt %d from the attacker: %d, want %d", i+1, st, want)
			}
		} else if st != want {
			t.Fatalf("attempt %d from the attacker: %d, want %d", i+1, st, want)
		}
	}
	if st := e.signIn(t, "vic@example.com", "correct-horse-battery", "198.51.100.7"); st != http.StatusSeeOther {
		t.Fatalf("the right password from the victim's own address: %d, want a sign-in", st)
	}
	// The attacker, even with the right password, waits: throttling per (account, address) holds.
	if st := e.signIn(t, "vic@example.com", "correct-horse-battery", "203.0.113.66"); st != http.StatusTooManyRequests {
		t.Fatalf("the right password from the throttled address: %d, want 429", st)
	}
	var n int
	if err := e.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = 'vic@example.com' AND source_ip = '203.0.113.66'`,
		inbox.AuditSignInFailed).Scan(&n); err != nil || n != loginPerAccount {
		t.Fatalf("failed sign-ins recorded: %d (%v), want %d (throttled attempts are not checked)", n, err, loginPerAccount)
	}
}

func TestASpoofedForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t) // no trusted proxies: X-Forwarded-For means nothing
	e.newUser(t, "sam", inbox.RoleAgent)
	for i := 0; i < loginPerAccount; i++ {
		if st := e.signIn(t, "sam@example.com", "wrong-one", "192.0.2."+i64(int64(i+1))); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, st)
		}
	}
	if st := e.signIn(t, "sam@example.com", "wrong-one", "192.0.2.99"); st != http.StatusTooManyRequests {
		t.Fatalf("a fresh spoofed address after %d failures: %d, want 429", loginPerAccount, st)
	}
	var ip string
	if err := e.pool.QueryRow(t.Context(), `SELECT source_ip FROM audit_log WHERE kind = $1 LIMIT 1`, inbox.AuditSignInFailed).Scan(&ip); err != nil || ip != "127.0.0.1" {
		t.Fatalf("recorded source: %q (%v), want the peer 127.0.0.1", ip, err)
	}
}

func TestBehindATrustedProxyTwoUsersAreThrottledSeparately(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	e.newUser(t, "una", inbox.RoleAgent)
	e.newUser(t, "ved", inbox.RoleAgent)
	// Many wrong sign-ins from one address (any accounts) slow that address down only.
	for i := 0; i < loginPerIP; i++ {
		e.signIn(t, "nobody"+i64(int64(i))+"@example.com", "nope-nope", "198.51.100.1")
	}
	if st := e.signIn(t, "una@example.com", "correct-horse-battery", "198.51.100.1"); st != http.StatusTooManyRequests {
		t.Fatalf("una from the noisy address: %d, want 429", st)
	}
	if st := e.signIn(t, "ved@example.com", "correct-horse-battery", "198.51.100.2"); st != http.StatusSeeOther {
		t.Fatalf("ved from another address behind the same proxy: %d, want a sign-in", st)
	}
	if st := e.signIn(t, "una@example.com", "correct-horse-battery", "198.51.100.3"); st != http.StatusSeeOther {
		t.Fatalf("una from her own address: %d, want a sign-in", st)
	}
	e.advance(loginWindow)
	if st := e.signIn(t, "una@example.com", "correct-horse-battery", "198.51.100.1"); st != http.StatusSeeOther {
		t.Fatalf("after the window: %d", st)
	}
}

func TestClientIPTakesTheRightmostUntrustedHop(t *testing.T) {
	th := newThrottle(time.Now, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")})
	for _, c := range []struct {
		peer, xff, want string
	}{
		{"10.0.0.1:5000", "203.0.113.5", "203.0.113.5"},
		{"10.0.0.1:5000", "6.6.6.6, 203.0.113.5, 10.1.2.3", "203.0.113.5"}, // the client's own claim is left of the truth
		{"192.0.2.1:5000", "203.0.113.5", "192.0.2.1"},                     // untrusted peer: header ignored
		{"10.0.0.1:5000", "", "10.0.0.1"},
		{"10.0.0.1:5000", "10.0.0.9, 10.0.0.8", "10.0.0.9"}, // every hop trusted: the leftmost
		{"10.0.0.1:5000", "6.6.6.6, not-an-ip", "10.0.0.1"}, // garbage after the proxy: the proxy
		{"[fd00::1]:443", "2001:db8::7", "2001:db8::7"},
		{"[::ffff:10.0.0.1]:80", "::ffff:203.0.113.5", "203.0.113.5"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := th.clientIP(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if got := netlimit.SourceKey("2001:db8:1:2:aaaa::1"); got != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 source key: %s", got)
	}
}

func TestTheLimiterSlowsDownByDoublingAndForgets(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now }, 3, time.Second, time.Minute, 10)
	for i := 0; i < 3; i++ {
		if w := l.wait("k"); w != 0 {
			t.Fatalf("before failure %d: wait %v", i+1, w)
		}
		l.fail("k")
	}
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if w := l.wait("k"); w != want {
			t.Fatalf("wait %v, want %v", w, want)
		}
		now = now.Add(want)
		if w := l.wait("k"); w != 0 {
			t.Fatalf("after waiting: %v", w)
		}
		l.fail("k")
	}
	for i := 0; i < 10; i++ {
		l.fail("k")
	}
	if w := l.wait("k"); w != time.Minute {
		t.Fatalf("capped wait: %v", w)
	}
	if w := l.wait("other"); w != 0 {
		t.Fatalf("another key waits %v", w)
	}
	now = now.Add(time.Minute)
	l.fail("k")
	if w := l.wait("k"); w != 0 {
		t.Fatalf("after a quiet ceiling the count restarts, wait %v", w)
	}
	for i := 0; i < 20; i++ {
		l.fail(strings.Repeat("x", i+1))
	}
	if len(l.keys) > 10 {
		t.Fatalf("limiter holds %d keys, cap 10", len(l.keys))
	}
}
