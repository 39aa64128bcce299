package netlimit

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSourceKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb::9": "2001:db8:1:2::/64",
		"not an address":       "not an address",
	} {
		if got := SourceKey(in); got != want {
			t.Errorf("SourceKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGateCapsEachKeyAndForgetsEmptyOnes(t *testing.T) {
	t.Parallel()
	g := NewGate(2)
	first, second, third := g.Enter("a"), g.Enter("a"), g.Enter("a")
	if !first || !second || third {
		t.Fatal("a key takes two, not three")
	}
	if !g.Enter("b") {
		t.Fatal("another key is not held back")
	}
	g.Leave("a")
	if !g.Enter("a") {
		t.Fatal("a slot given back is free again")
	}
	g.Leave("a")
	g.Leave("a")
	g.Leave("b")
	if len(g.n) != 0 {
		t.Fatalf("keys holding nothing are remembered: %v", g.n)
	}
	off := NewGate(0)
	for range 100 {
		if !off.Enter("a") {
			t.Fatal("a gate of 0 lets everything through")
		}
	}
}

func TestLimitAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	g := NewGate(1)
	h := g.Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), 1500*time.Millisecond)
	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	r = r.WithContext(WithClient(r.Context(), "203.0.113.7"))
	g.Enter("203.0.113.7") // a request of that address in flight
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("over the cap: %d, Retry-After %q; want 429 and 2", w.Code, w.Header().Get("Retry-After"))
	}
	g.Leave("203.0.113.7")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || g.Held("203.0.113.7") != 0 {
		t.Fatalf("within the cap: %d, held %d after", w.Code, g.Held("203.0.113.7"))
	}
}
