package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/dbtest"
)

// TestPublicURLDefaultsForEveryAddress: the documented default of PARLEY_PUBLIC_URL applies to
// every listen address, not only ":port" (before, "127.0.0.1:8080" left it empty, which turned
// the SMS channel off and made survey and chat demo links relative); a bad one is refused.
func TestPublicURLDefaultsForEveryAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr, public, want string
		fail               bool
	}{
		{addr: "", want: "http://localhost:8080"},
		{addr: ":9000", want: "http://localhost:9000"},
		{addr: "127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{addr: "0.0.0.0:80", want: "http://localhost:80"},
		{addr: "[::]:8080", want: "http://localhost:8080"},
		{addr: "[::1]:8080", want: "http://[::1]:8080"},
		{addr: "help.internal:8080", want: "http://help.internal:8080"},
		{addr: "127.0.0.1:8080", public: "https://help.example.com/", want: "https://help.example.com"},
		{addr: "8080", fail: true},
		{addr: ":8080", public: "help.example.com", fail: true},
		{addr: ":8080", public: "ftp://help.example.com", fail: true},
	} {
		env := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_ADDR": tc.addr, "PARLEY_PUBLIC_URL": tc.public}
		c, err := loadConfig(func(k string) string { return env[k] })
		if tc.fail {
			if err == nil {
				t.Errorf("addr %q public %q: accepted as %q, want an error", tc.addr, tc.public, c.PublicURL)
			}
			continue
		}
		if err != nil || c.PublicURL != tc.want {
			t.Errorf("addr %q public %q: %q, %v; want %q", tc.addr, tc.public, c.PublicURL, err, tc.want)
		}
	}
}

// TestJITIsOffUnlessTheURLSetsIt: Parley's connections run with PostgreSQL's JIT off (it made a
// search at a million conversations take 87 ms instead of 2.6 ms), unless DATABASE_URL chooses.
func TestJITIsOffUnlessTheURLSetsIt(t *testing.T) {
	t.Parallel()
	base := dbtest.URL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("jit", "on")
	u.RawQuery = q.Encode()
	for _, tc := range []struct{ url, want string }{
		{base, "off"},
		{u.String(), "on"},
	} {
		var out, errOut bytes.Buffer
		c := &cli{getenv: func(k string) string {
			return map[string]string{"DATABASE_URL": tc.url, "PARLEY_LOG_LEVEL": "warn"}[k]
		}, stdout: &out, stderr: &errOut}
		a, err := open(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		var jit string
		err = a.pool.QueryRow(context.Background(), "SHOW jit").Scan(&jit)
		a.close()
		if err != nil || jit != tc.want {
			t.Errorf("DATABASE_URL %s: jit = %q, %v; want %q", tc.url, jit, err, tc.want)
		}
	}
}

// TestShutdownTimeout: PARLEY_SHUTDOWN_TIMEOUT defaults to 30 s, takes a duration or a number of
// seconds, and refuses anything else.
func TestShutdownTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    string
		want time.Duration
		fail bool
	}{
		{v: "", want: 30 * time.Second},
		{v: "45s", want: 45 * time.Second},
		{v: "2m", want: 2 * time.Minute},
		{v: "10", want: 10 * time.Second},
		{v: "0", fail: true},
		{v: "-5s", fail: true},
		{v: "soon", fail: true},
	} {
		env := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_SHUTDOWN_TIMEOUT": tc.v}
		c, err := loadConfig(func(k string) string { return env[k] })
		if tc.fail {
			if err == nil {
				t.Errorf("%q: accepted as %s, want an error", tc.v, c.ShutdownTimeout)
			}
			continue
		}
		if err != nil || c.ShutdownTimeout != tc.want {
			t.Errorf("%q: %s, %v; want %s", tc.v, c.ShutdownTimeout, err, tc.want)
		}
	}
}

// TestPasswordCost: PARLEY_PASSWORD_COST is a bcrypt cost from 4 to 31; unset means the default.
func TestPasswordCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    string
		want int
		fail bool
	}{
		{v: "", want: 0}, {v: "12", want: 12}, {v: "4", want: 4},
		{v: "3", fail: true}, {v: "32", fail: true}, {v: "strong", fail: true},
	} {
		env := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_PASSWORD_COST": tc.v}
		c, err := loadConfig(func(k string) string { return env[k] })
		if tc.fail {
			if err == nil || !strings.Contains(err.Error(), "PARLEY_PASSWORD_COST") {
				t.Errorf("%q: accepted as %d (%v), want an error naming the variable", tc.v, c.PasswordCost, err)
			}
			continue
		}
		if err != nil || c.PasswordCost != tc.want {
			t.Errorf("%q: %d, %v; want %d", tc.v, c.PasswordCost, err, tc.want)
		}
	}
}

// TestAwayAfter: PARLEY_AWAY_AFTER is a duration, 10 minutes when unset, 0 to turn automatic
// away off; anything else is an error naming the variable.
func TestAwayAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    string
		want time.Duration
		fail bool
	}{
		{v: "", want: 10 * time.Minute}, {v: "30m", want: 30 * time.Minute}, {v: "0", want: 0},
		{v: "-1m", fail: true}, {v: "soon", fail: true}, {v: "10", fail: true},
	} {
		env := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_AWAY_AFTER": tc.v}
		c, err := loadConfig(func(k string) string { return env[k] })
		if tc.fail {
			if err == nil || !strings.Contains(err.Error(), "PARLEY_AWAY_AFTER") {
				t.Errorf("%q: accepted as %s (%v), want an error naming the variable", tc.v, c.AwayAfter, err)
			}
			continue
		}
		if err != nil || c.AwayAfter != tc.want {
			t.Errorf("%q: %s, %v; want %s", tc.v, c.AwayAfter, err, tc.want)
		}
	}
}

// TestLimitsComeFromTheEnvironment: the per-address and chat limits are read from their
// variables (0 turns a cap off), and a bad value is an error naming its variable.
func TestLimitsComeFromTheEnvironment(t *testing.T) {
	t.Parallel()
	get := func(m map[string]string) env { return func(k string) string { return m[k] } }
	l, err := limitsConfig(get(nil))
	if err != nil || l.MaxConnsPerIP != 0 || l.Chat.SocketsPerAddress != 0 || l.Chat.NewVisitorsPerMinute != 0 || l.ChatMessages.Rate != 0 || l.ChatMessages.Burst != 0 {
		t.Fatalf("unset: %+v %v, want the zero value (the defaults)", l, err)
	}
	l, err = limitsConfig(get(map[string]string{"PARLEY_MAX_CONNS_PER_IP": "0", "PARLEY_CHAT_SOCKETS_PER_IP": "5",
		"PARLEY_CHAT_NEW_VISITORS_PER_MIN": "0", "PARLEY_CHAT_MESSAGES_PER_SEC": "0.5", "PARLEY_CHAT_MESSAGE_BURST": "3"}))
	if err != nil || l.MaxConnsPerIP != -1 || l.Chat.SocketsPerAddress != 5 || l.Chat.NewVisitorsPerMinute != -1 ||
		l.ChatMessages.Rate != 0.5 || l.ChatMessages.Burst != 3 {
		t.Fatalf("set: %+v %v", l, err)
	}
	for k, v := range map[string]string{"PARLEY_MAX_CONNS_PER_IP": "many", "PARLEY_CHAT_SOCKETS_PER_IP": "-1",
		"PARLEY_CHAT_MESSAGES_PER_SEC": "0", "PARLEY_CHAT_MESSAGE_BURST": "0"} {
		if _, err := limitsConfig(get(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v, want an error naming it", k, v, err)
		}
	}
}
