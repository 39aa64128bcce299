package slack

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// EventsKeep is how long a handled Slack event id is kept to recognize a redelivery: Slack
// redelivers within about an hour, so a day is ample.
const EventsKeep = 24 * time.Hour

// pruneEvery is how often the handled Slack event ids are pruned.
const pruneEvery = time.Hour

// PruneArgs is the periodic job that deletes handled Slack event ids older than EventsKeep.
type PruneArgs struct{}

// Kind implements river.JobArgs.
func (PruneArgs) Kind() string { return "slack_prune" }

// InsertOpts makes one prune per interval.
func (PruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: channels.QueueDefault, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: pruneEvery}}
}

// pruneWorker runs PruneArgs jobs.
type pruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	store  *inbox.Store // its clock says what is old
	events *EventLog
	log    *slog.Logger
}

// Work deletes the event ids older than EventsKeep.
func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	n, err := w.events.PruneSlackEvents(ctx, w.store.Now().Add(-EventsKeep))
	if err != nil {
		return fmt.Errorf("slack: prune job: %w", err)
	}
	if n > 0 {
		w.log.Debug("slack: pruned handled event ids", "deleted", n)
	}
	return nil
}

// pruneSchedule is when the prune runs: every pruneEvery.
func pruneSchedule() river.PeriodicSchedule { return river.PeriodicInterval(pruneEvery) }

// prunePeriodically schedules the hourly prune, at once on start as well.
func prunePeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(pruneSchedule(),
		func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "slack_prune", RunOnStart: true})
}
