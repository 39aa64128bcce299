package email

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// pollSweepEvery is how often the sweep makes sure every email inbox has its poll job: a new
// inbox starts being read within this time.
const pollSweepEvery = time.Minute

// PollSweepArgs is the periodic job that inserts a PollArgs job for every email inbox that has
// none: on start, for an inbox added since, and for one whose poll job was discarded after
// failing for hours.
type PollSweepArgs struct{}

// Kind implements river.JobArgs.
func (PollSweepArgs) Kind() string { return "email_poll_sweep" }

// InsertOpts makes one sweep per interval.
func (PollSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: channels.QueueDefault, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: pollSweepEvery}}
}

// pollSweepWorker runs PollSweepArgs jobs.
type pollSweepWorker struct {
	river.WorkerDefaults[PollSweepArgs]
	store *inbox.Store
}

// Work inserts a poll job for each email inbox not disabled; inboxes that have one are skipped
// (the poll job is unique by inbox).
func (w *pollSweepWorker) Work(ctx context.Context, _ *river.Job[PollSweepArgs]) error {
	inboxes, err := w.store.Inboxes(ctx, inbox.ChannelEmail)
	if err != nil {
		return err
	}
	if len(inboxes) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, 0, len(inboxes))
	for _, in := range inboxes {
		if !in.Disabled() {
			params = append(params, river.InsertManyParams{Args: PollArgs{InboxID: in.ID}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := river.ClientFromContext[pgx.Tx](ctx).InsertMany(ctx, params); err != nil {
		return fmt.Errorf("email: poll sweep: %w", err)
	}
	return nil
}

// sweepPeriodically schedules the sweep every pollSweepEvery, at once on start as well.
func sweepPeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(pollSweepEvery),
		func() (river.JobArgs, *river.InsertOpts) { return PollSweepArgs{}, nil },
		&river.PeriodicJobOpts{ID: "email_poll_sweep", RunOnStart: true})
}
