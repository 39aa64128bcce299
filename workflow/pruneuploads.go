package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// pruneUploadsEvery is how often uploads no message took are looked for.
const pruneUploadsEvery = time.Hour

// PruneUploadsArgs is the periodic job that deletes the uploads no message took within
// inbox.UploadKeep, and the files an erasure released, from the file store
// (inbox.Store.PruneUploads).
type PruneUploadsArgs struct{}

// Kind implements river.JobArgs.
func (PruneUploadsArgs) Kind() string { return "prune_uploads" }

// InsertOpts makes one prune per interval.
func (PruneUploadsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: pruneUploadsEvery}}
}

// PruneUploadsPeriodically schedules the prune every pruneUploadsEvery, and once on start.
func PruneUploadsPeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(pruneUploadsEvery),
		func() (river.JobArgs, *river.InsertOpts) { return PruneUploadsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "prune_uploads", RunOnStart: true})
}

type pruneUploadsWorker struct {
	river.WorkerDefaults[PruneUploadsArgs]
	store *inbox.Store
}

// Work deletes the stale uploads and their files; a file the store cannot delete now keeps its
// row and is tried again at the next run.
func (w *pruneUploadsWorker) Work(ctx context.Context, _ *river.Job[PruneUploadsArgs]) error {
	if _, err := w.store.PruneUploads(ctx, w.store.Now().Add(-inbox.UploadKeep)); err != nil {
		return fmt.Errorf("workflow: prune uploads: %w", err)
	}
	return nil
}
