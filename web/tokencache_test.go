package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// fakeTokens is the lookup behind a tokenCache under test: the tokens that exist, and how many
// times it was asked.
type fakeTokens struct {
	valid map[string]inbox.APIToken
	calls int
	// during runs inside a lookup, to change things while it is in flight.
	during func()
}

func (f *fakeTokens) lookup(_ context.Context, tok string) (inbox.Agent, inbox.APIToken, error) {
	f.calls++
	if f.during != nil {
		f.during()
	}
	t, ok := f.valid[tok]
	if !ok {
		return inbox.Agent{}, t, inbox.ErrNotFound
	}
	return inbox.Agent{ID: t.AgentID}, t, nil
}

func TestTokenCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeTokens{valid: map[string]inbox.APIToken{"pk_a": {ID: 10, AgentID: 1}}}
	c := newTokenCache(f.lookup, func() time.Time { return now })
	ctx := context.Background()
	for range 3 {
		if a, tok, err := c.agent(ctx, "pk_a"); err != nil || a.ID != 1 || tok.ID != 10 {
			t.Fatalf("agent = %+v %+v, %v", a, tok, err)
		}
	}
	if f.calls != 1 {
		t.Fatalf("lookups = %d, want 1 while fresh", f.calls)
	}
	// Without an announcement, a fresh entry is served until it expires, then looked up again.
	delete(f.valid, "pk_a")
	now = now.Add(11 * time.Second)
	if _, _, err := c.agent(ctx, "pk_a"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("after expiry err = %v, want ErrNotFound", err)
	}
	// Failures are not cached.
	if _, _, err := c.agent(ctx, "pk_x"); err == nil {
		t.Fatal("unknown token accepted")
	}
	if _, _, err := c.agent(ctx, "pk_x"); err == nil || f.calls != 4 {
		t.Fatalf("failed lookup cached: calls = %d", f.calls)
	}
}

func TestTokenCacheDropsAtOnce(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeTokens{valid: map[string]inbox.APIToken{
		"pk_a": {ID: 10, AgentID: 1}, "pk_b": {ID: 11, AgentID: 1}, "pk_c": {ID: 12, AgentID: 2}}}
	c := newTokenCache(f.lookup, func() time.Time { return now })
	ctx := context.Background()
	warm := func() {
		t.Helper()
		for _, tok := range []string{"pk_a", "pk_b", "pk_c"} {
			if _, _, err := c.agent(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	warm()
	// A revoked token is refused at once, within the TTL; the others stay cached.
	delete(f.valid, "pk_a")
	c.dropToken(10)
	before := f.calls
	if _, _, err := c.agent(ctx, "pk_a"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("revoked token: %v", err)
	}
	if _, _, err := c.agent(ctx, "pk_b"); err != nil || f.calls != before+1 {
		t.Fatalf("other token: %v, calls %d (want %d)", err, f.calls, before+1)
	}
	// A changed agent's tokens are all looked up again.
	c.dropAgent(1)
	before = f.calls
	warm2 := []string{"pk_b", "pk_c"}
	for _, tok := range warm2 {
		if _, _, err := c.agent(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if f.calls != before+1 {
		t.Fatalf("after dropAgent(1): %d lookups, want 1 (pk_b only)", f.calls-before)
	}
	c.clear()
	before = f.calls
	_, _, _ = c.agent(ctx, "pk_c")
	if f.calls != before+1 {
		t.Fatal("clear kept an entry")
	}
}

func TestTokenCacheDoesNotStoreALookupOverlappingADrop(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeTokens{valid: map[string]inbox.APIToken{"pk_a": {ID: 10, AgentID: 1}}}
	c := newTokenCache(f.lookup, func() time.Time { return now })
	// The lookup read the token, and the revocation is announced before it returns.
	f.during = func() { c.dropToken(10) }
	if _, _, err := c.agent(context.Background(), "pk_a"); err != nil {
		t.Fatal(err)
	}
	f.during = nil
	delete(f.valid, "pk_a")
	if _, _, err := c.agent(context.Background(), "pk_a"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("a lookup overlapping the revocation was cached: %v", err)
	}
}

func TestTokenCacheEntryEndsWithItsToken(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ends := now.Add(3 * time.Second)
	f := &fakeTokens{valid: map[string]inbox.APIToken{"pk_a": {ID: 10, AgentID: 1, ExpiresAt: &ends}}}
	c := newTokenCache(f.lookup, func() time.Time { return now })
	if _, _, err := c.agent(context.Background(), "pk_a"); err != nil {
		t.Fatal(err)
	}
	delete(f.valid, "pk_a") // the database refuses it once expired
	now = ends
	if _, _, err := c.agent(context.Background(), "pk_a"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("expired token served from the cache: %v", err)
	}
}
