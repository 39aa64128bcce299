package main

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// benchSLACmd is `parley bench sla`: the deadline burst. On an in-process server that works
// its jobs it adds an SLA policy (first response within --target, warning at 80%), starts
// --deadlines conversations spread evenly over --spread, so that their deadlines fall within
// that stretch, waits for them all to pass and prints how late each warning and breach was
// recorded (the recorded instant minus the clock's own), with the ones never recorded.
func benchSLACmd(ctx context.Context, c *cli) error {
	fs := c.flags("bench sla", "bench sla [--deadlines N] [--spread D] [--target D]")
	n := fs.Int("deadlines", 2000, "conversations whose first-response deadlines fall within --spread")
	spread := fs.Duration("spread", time.Minute, "the stretch the conversations start in, and so their deadlines fall in")
	target := fs.Duration("target", time.Minute, "the policy's first-response target (the warning comes at 80% of it)")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if *n < 1 || *spread <= 0 || *target < time.Minute {
		return errors.New("bench sla: deadlines and spread must be positive, the target at least a minute")
	}
	a, stop, url, token, err := benchApp(ctx, c, false)
	if err != nil {
		return err
	}
	defer stop()
	run := make([]byte, 4)
	_, _ = crand.Read(run)
	prefix := "sla-" + hex.EncodeToString(run)
	if err := benchAPI(ctx, http.MethodPost, url+"/api/v1/sla/policies", token,
		map[string]any{"name": "Bench " + prefix, "first_response": target.String(), "warn_at": 0.8}, nil); err != nil {
		return fmt.Errorf("%w (on a fresh database: the bench's policy applies to every conversation)", err)
	}

	// Start the conversations at an even pace over spread, 8 clients at a time.
	begin := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < *n && ctx.Err() == nil; i += 8 {
				time.Sleep(time.Until(begin.Add(time.Duration(i) * *spread / time.Duration(*n))))
				body := map[string]any{"external_id": fmt.Sprintf("%s-%d", prefix, i),
					"contact": map[string]string{"email": fmt.Sprintf("%s-%d@bench.example", prefix, i)},
					"subject": "Deadline burst", "text": "Is anyone there?"}
				if err := benchAPI(ctx, http.MethodPost, url+"/api/v1/inbound", token, body, nil); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	// Every deadline has passed some seconds after the last conversation's.
	wait := time.Until(begin.Add(*spread + *target + 10*time.Second))
	fmt.Fprintf(c.stdout, "sla: %d conversations started in %s; waiting %s for their deadlines\n", *n, time.Since(begin).Round(time.Second), wait.Round(time.Second))
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, q := range []struct{ what, sql string }{
		{"breaches", `SELECT b.breached_at - b.due_at FROM sla_breaches b JOIN conversations c ON c.id = b.conversation_id
			JOIN messages m ON m.conversation_id = c.id AND m.external_id LIKE $1 WHERE b.target = 'first_response'`},
		{"warnings", `SELECT k.warned_at - k.warn_at FROM sla_clocks k JOIN messages m ON m.conversation_id = k.conversation_id
			AND m.external_id LIKE $1 WHERE k.target = 'first_response' AND k.warned_at IS NOT NULL`},
	} {
		lates, err := durations(ctx, a, q.sql, prefix+"-%")
		if err != nil {
			return err
		}
		p := percentiles(lates)
		fmt.Fprintf(c.stdout, "sla: %d of %d %s recorded, late by p50 %s, p99 %s, max %s\n", len(lates), *n, q.what,
			p[0].Round(time.Millisecond), p[1].Round(time.Millisecond), p[2].Round(time.Millisecond))
	}
	return nil
}

// durations runs sql (one interval column) with arg and returns the intervals.
func durations(ctx context.Context, a *app, sql string, arg any) ([]time.Duration, error) {
	rows, err := a.pool.Query(ctx, sql, arg)
	if err != nil {
		return nil, fmt.Errorf("bench sla: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var d time.Duration
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("bench sla: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// percentiles returns the p50, p99 and max of ds (zeros when empty); it sorts ds. Every bench
// reports its latencies through it.
func percentiles(ds []time.Duration) [3]time.Duration {
	if len(ds) == 0 {
		return [3]time.Duration{}
	}
	slices.Sort(ds)
	return [3]time.Duration{ds[len(ds)/2], ds[len(ds)*99/100], ds[len(ds)-1]}
}
