package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// LogKeep is how long a settled delivery (succeeded, failed or skipped) stays in the log; pending
// and retrying ones stay until they settle.
const LogKeep = 30 * 24 * time.Hour

// pruneEvery is how often the log is pruned.
const pruneEvery = time.Hour

// pruneBatch bounds the rows one statement deletes, so a large backlog never holds long locks.
const pruneBatch = 5000

// PruneArgs is the periodic job that deletes settled deliveries older than LogKeep.
type PruneArgs struct{}

// Kind implements river.JobArgs.
func (PruneArgs) Kind() string { return "webhook_prune" }

// InsertOpts makes one prune per interval, on the deliveries' queue.
func (PruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: pruneEvery}}
}

// PruneWorker returns the River worker that prunes the delivery log.
func (s *Service) PruneWorker() river.Worker[PruneArgs] { return &pruneWorker{s: s} }

// PrunePeriodically schedules the hourly prune, at once on start as well.
func PrunePeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(pruneEvery),
		func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "webhook_prune", RunOnStart: true})
}

type pruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	s *Service
}

// Work deletes the old settled deliveries, a batch at a time.
func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	n, err := w.s.PruneLog(ctx, w.s.now().Add(-LogKeep))
	if err != nil {
		return err
	}
	if n > 0 {
		w.s.log.Debug("webhook: pruned the delivery log", "deleted", n)
	}
	return nil
}

// PruneLog deletes the settled deliveries created before cutoff and answers how many it
// deleted. A redelivery of a deleted one keeps its row (redelivery_of becomes null).
func (s *Service) PruneLog(ctx context.Context, cutoff time.Time) (int64, error) {
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN (
			SELECT id FROM webhook_deliveries
			WHERE status IN ('succeeded', 'failed', 'skipped') AND created_at < $1
			LIMIT $2)`, cutoff, pruneBatch)
		if err != nil {
			return total, fmt.Errorf("webhook: prune the delivery log: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}
