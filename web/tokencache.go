package web

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// tokenCache remembers which agent a bearer token belongs to for a short time, so an
// integration posting thousands of messages a second does not look its token up on every
// request. A revoked token or a changed role takes effect within the TTL. It is bounded: when
// full, it is emptied and refilled by the next requests.
type tokenCache struct {
	lookup func(ctx context.Context, token string) (inbox.Agent, error)
	now    func() time.Time
	ttl    time.Duration
	max    int

	mu      sync.Mutex
	entries map[string]cachedAgent
}

type cachedAgent struct {
	agent   inbox.Agent
	expires time.Time
}

func newTokenCache(lookup func(context.Context, string) (inbox.Agent, error), now func() time.Time) *tokenCache {
	return &tokenCache{lookup: lookup, now: now, ttl: 10 * time.Second, max: 10000, entries: map[string]cachedAgent{}}
}

// agent returns the token's agent, from the cache while fresh. Failed lookups are not cached.
func (c *tokenCache) agent(ctx context.Context, token string) (inbox.Agent, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[token]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.agent, nil
	}
	a, err := c.lookup(ctx, token)
	if err != nil {
		return a, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[token] = cachedAgent{agent: a, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return a, nil
}
