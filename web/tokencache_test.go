package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

func TestTokenCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	valid := map[string]inbox.Agent{"pk_a": {ID: 1}}
	c := newTokenCache(func(_ context.Context, tok string) (inbox.Agent, error) {
		calls++
		a, ok := valid[tok]
		if !ok {
			return a, inbox.ErrNotFound
		}
		return a, nil
	}, func() time.Time { return now })
	ctx := context.Background()
	for range 3 {
		if a, err := c.agent(ctx, "pk_a"); err != nil || a.ID != 1 {
			t.Fatalf("agent = %+v, %v", a, err)
		}
	}
	if calls != 1 {
		t.Fatalf("lookups = %d, want 1 while fresh", calls)
	}
	// Revoked: still served until the entry expires, then refused.
	delete(valid, "pk_a")
	now = now.Add(11 * time.Second)
	if _, err := c.agent(ctx, "pk_a"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("after expiry err = %v, want ErrNotFound", err)
	}
	// Failures are not cached.
	valid["pk_b"] = inbox.Agent{ID: 2}
	if _, err := c.agent(ctx, "pk_x"); err == nil {
		t.Fatal("unknown token accepted")
	}
	if _, err := c.agent(ctx, "pk_x"); err == nil || calls != 4 {
		t.Fatalf("failed lookup cached: calls = %d", calls)
	}
}
