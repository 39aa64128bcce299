package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/internal/meter"
	"github.com/parleyhq/parley/workflow"
)

// watchJobs feeds the meter from River: the depth of its queues, counted at each scrape
// (workflow.QueueDepth), and each job this process works, by kind, outcome, wait and run time
// (River's event subscription, read on a goroutine until ctx ends). A process that works no
// jobs (--jobs=false) exports the depth only.
func (a *app) watchJobs(ctx context.Context, client *river.Client[pgx.Tx]) error {
	if err := meter.WatchQueues(a.registry, func(ctx context.Context) ([]meter.QueueCount, error) {
		counts, err := workflow.QueueDepth(ctx, a.pool)
		out := make([]meter.QueueCount, len(counts))
		for i, c := range counts {
			out[i] = meter.QueueCount(c)
		}
		return out, err
	}); err != nil {
		return err
	}
	if a.noJobs {
		return nil
	}
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	results := map[river.EventKind]string{river.EventKindJobCompleted: "completed", river.EventKindJobFailed: "failed",
		river.EventKindJobCancelled: "cancelled", river.EventKindJobSnoozed: "snoozed"}
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				if e.Job == nil {
					continue
				}
				var wait, run time.Duration
				if e.JobStats != nil {
					wait, run = e.JobStats.QueueWaitDuration, e.JobStats.RunDuration
				}
				a.meter.Job(e.Job.Kind, results[e.Kind], wait, run)
			}
		}
	}()
	return nil
}
