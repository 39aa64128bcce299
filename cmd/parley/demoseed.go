package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// bulkAgents is how many agents `demo --conversations N` spreads the conversations over.
const bulkAgents = 20

// seedConversations is `parley demo --conversations N`: N synthetic conversations with five
// messages each, assigned among bulkAgents agents (created with unusable random passwords), for
// benchmarks at size, then analyzes what it wrote. It prints its progress and rate.
func seedConversations(ctx context.Context, a *app, n int, out io.Writer) error {
	if n <= 0 {
		return nil
	}
	var ids []int64
	for i := 1; i <= bulkAgents; i++ {
		email := fmt.Sprintf("agent%02d@bulk.example", i)
		ag, err := a.store.AgentByEmail(ctx, email)
		if errors.Is(err, inbox.ErrNotFound) {
			ag, err = a.store.CreateAgent(ctx, inbox.NewAgent{Email: email, Name: fmt.Sprintf("Bulk Agent %02d", i), Password: randomPassword()})
		}
		if err != nil {
			return fmt.Errorf("demo: bulk agent: %w", err)
		}
		ids = append(ids, ag.ID)
	}
	start := time.Now()
	last := start
	err := a.store.SeedBulk(ctx, n, ids, func(done int) {
		if time.Since(last) > 5*time.Second || done == n {
			last = time.Now()
			fmt.Fprintf(out, "  seeded %d/%d conversations (%s)\n", done, n, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		return err
	}
	// Statistics now, not when autovacuum gets to it (never, when it is off).
	if err := a.store.Analyze(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(out, "Seeded %d conversations and %d messages in %s (%.0f conversations/s).\n",
		n, 5*n, took.Round(time.Second), float64(n)/took.Seconds())
	return nil
}
