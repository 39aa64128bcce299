package workflow

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// ruleCache keeps the rule sets compiled between the route jobs and ingests of one process
// (the Enqueuer holds it; its route worker shares it, Config.Enqueuer). Every use reads
// rule_version (migration 252) on the job's transaction, which triggers raise with every
// change to the rule sets and rules: an unchanged number means the compiled
// rules are still the rules, so a change made through any process is seen by every other at
// its next route, and the rules are read and compiled again only then.
//
// The job's transaction reads committed data statement by statement, so the rule sets, the
// rules and the number could each come from another moment. A load counts only when the
// number read after it is the number read before: no change committed in between (each change
// raises the number in its own transaction), so what was read is the rules of that number.
type ruleCache struct {
	mu      sync.Mutex
	version int64
	m       *Matcher
}

// matcher returns the compiled rules as tx sees them.
func (c *ruleCache) matcher(ctx context.Context, tx pgx.Tx) (*Matcher, error) {
	var version int64
	if err := tx.QueryRow(ctx, `SELECT version FROM rule_version`).Scan(&version); err != nil {
		return nil, fmt.Errorf("workflow: rule version: %w", err)
	}
	c.mu.Lock()
	m := c.m
	if c.version != version {
		m = nil
	}
	c.mu.Unlock()
	if m != nil {
		return m, nil
	}
	sets, err := loadRuleSets(ctx, tx)
	if err != nil {
		return nil, err
	}
	m = Compile(sets)
	var after int64
	if err := tx.QueryRow(ctx, `SELECT version FROM rule_version`).Scan(&after); err != nil {
		return nil, fmt.Errorf("workflow: rule version: %w", err)
	}
	if after != version {
		// The rules changed while they were read: route by this read, which is at least as new
		// as the number first read, but keep it for no one.
		return m, nil
	}
	c.mu.Lock()
	// A slower reader of an older version must not replace a newer one.
	if version >= c.version {
		c.version, c.m = version, m
	}
	c.mu.Unlock()
	return m, nil
}
