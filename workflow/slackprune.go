package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// SlackEventsKeep is how long a handled Slack event id is kept to recognize a redelivery:
// Slack redelivers within about an hour, so a day is ample.
const SlackEventsKeep = 24 * time.Hour

// slackPruneEvery is how often the handled Slack event ids are pruned.
const slackPruneEvery = time.Hour

// SlackPruneArgs is the periodic job that deletes handled Slack event ids older than
// SlackEventsKeep.
type SlackPruneArgs struct{}

// Kind implements river.JobArgs.
func (SlackPruneArgs) Kind() string { return "slack_prune" }

// InsertOpts makes one prune per interval.
func (SlackPruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: slackPruneEvery}}
}

// SlackEventPruner deletes the Slack event ids handled before a time; the Slack channel, which
// owns them, implements it.
type SlackEventPruner interface {
	PruneSlackEvents(ctx context.Context, before time.Time) (int64, error)
}

// slackPruneWorker runs SlackPruneArgs jobs.
type slackPruneWorker struct {
	river.WorkerDefaults[SlackPruneArgs]
	Store  *inbox.Store // its clock says what is old
	Pruner SlackEventPruner
	Log    *slog.Logger
}

// Work deletes the event ids older than SlackEventsKeep.
func (w *slackPruneWorker) Work(ctx context.Context, _ *river.Job[SlackPruneArgs]) error {
	if w.Pruner == nil {
		return river.JobCancel(errors.New("workflow: slack prune: no Slack channel on this server"))
	}
	n, err := w.Pruner.PruneSlackEvents(ctx, w.Store.Now().Add(-SlackEventsKeep))
	if err != nil {
		return fmt.Errorf("workflow: slack prune: %w", err)
	}
	if n > 0 && w.Log != nil {
		w.Log.Debug("slack: pruned handled event ids", "deleted", n)
	}
	return nil
}

// slackPeriodicJobs is the hourly prune, when the server has the Slack channel.
func slackPeriodicJobs(cfg Config) []*river.PeriodicJob {
	if cfg.SlackEvents == nil {
		return nil
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(slackPruneEvery),
		func() (river.JobArgs, *river.InsertOpts) { return SlackPruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "slack_prune", RunOnStart: true})}
}
