package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// contactReachEvery is how often the fold runs. Until it does, the contact list still finds the
// contacts it has not reached, only by a slower path (see inbox.FoldContactReach).
const contactReachEvery = time.Minute

// ContactReachFoldArgs is the periodic job that folds contact_reach_news onto the contacts
// (inbox.Store.FoldContactReach).
type ContactReachFoldArgs struct{}

// Kind implements river.JobArgs.
func (ContactReachFoldArgs) Kind() string { return "contact_reach_fold" }

// InsertOpts makes one fold per interval.
func (ContactReachFoldArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: contactReachEvery}}
}

// ContactReachFoldPeriodically schedules the fold every contactReachEvery, and once on start.
func ContactReachFoldPeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(contactReachEvery),
		func() (river.JobArgs, *river.InsertOpts) { return ContactReachFoldArgs{}, nil },
		&river.PeriodicJobOpts{ID: "contact_reach_fold", RunOnStart: true})
}

type contactReachFoldWorker struct {
	river.WorkerDefaults[ContactReachFoldArgs]
	store *inbox.Store
}

// Work folds every waiting row.
func (w *contactReachFoldWorker) Work(ctx context.Context, _ *river.Job[ContactReachFoldArgs]) error {
	if _, err := w.store.FoldContactReach(ctx); err != nil {
		return fmt.Errorf("workflow: contact reach fold: %w", err)
	}
	return nil
}
