package web

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// tokenCache remembers which agent a bearer token belongs to for a short time, so an
// integration posting thousands of messages a second does not look its token up on every
// request. It is never trusted past a change: every process drops the entries of a revoked
// token or a changed agent as soon as the event feed announces it (dropToken, dropAgent), and
// everything when the feed reconnects (clear), since it may have missed announcements. An entry
// also ends when its token expires. It is bounded: when full, it is emptied and refilled by the
// next requests.
type tokenCache struct {
	lookup func(ctx context.Context, token string) (inbox.Agent, inbox.APIToken, error)
	now    func() time.Time
	ttl    time.Duration
	max    int

	mu      sync.Mutex
	entries map[string]cachedAgent
	// gen counts the drops; a lookup that began before one does not store its answer, which
	// may predate the change.
	gen uint64
}

type cachedAgent struct {
	agent   inbox.Agent
	token   inbox.APIToken
	expires time.Time
}

func newTokenCache(lookup func(context.Context, string) (inbox.Agent, inbox.APIToken, error), now func() time.Time) *tokenCache {
	return &tokenCache{lookup: lookup, now: now, ttl: 10 * time.Second, max: 10000, entries: map[string]cachedAgent{}}
}

// agent returns the token's agent and record, from the cache while fresh. Failed lookups are
// not cached.
func (c *tokenCache) agent(ctx context.Context, token string) (inbox.Agent, inbox.APIToken, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[token]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.agent, e.token, nil
	}
	a, t, err := c.lookup(ctx, token)
	if err != nil {
		return a, t, err
	}
	expires := now.Add(c.ttl)
	if t.ExpiresAt != nil && t.ExpiresAt.Before(expires) {
		expires = *t.ExpiresAt
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
		c.entries[token] = cachedAgent{agent: a, token: t, expires: expires}
	}
	c.mu.Unlock()
	return a, t, nil
}

// dropAgent forgets every token of an agent.
func (c *tokenCache) dropAgent(agentID int64) {
	c.drop(func(e cachedAgent) bool { return e.agent.ID == agentID })
}

// dropToken forgets one token, by its id.
func (c *tokenCache) dropToken(tokenID int64) {
	c.drop(func(e cachedAgent) bool { return e.token.ID == tokenID })
}

// clear forgets everything.
func (c *tokenCache) clear() { c.drop(func(cachedAgent) bool { return true }) }

func (c *tokenCache) drop(match func(cachedAgent) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if match(e) {
			delete(c.entries, k)
		}
	}
}
