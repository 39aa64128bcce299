package chat

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// uploadPruneEvery is how often the visitors' uploads older than uploadKeep are deleted.
const uploadPruneEvery = time.Hour

// UploadPruneArgs is the periodic job that deletes the visitors' uploads older than a day:
// those a message carried were copied onto its attachments; the rest were never sent.
type UploadPruneArgs struct{}

// Kind implements river.JobArgs.
func (UploadPruneArgs) Kind() string { return "chat_upload_prune" }

// InsertOpts makes one prune per interval.
func (UploadPruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: channels.QueueDefault, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: uploadPruneEvery}}
}

// uploadPruneWorker runs UploadPruneArgs jobs.
type uploadPruneWorker struct {
	river.WorkerDefaults[UploadPruneArgs]
	store *inbox.Store // its clock says what is old
	log   *slog.Logger
}

// Work deletes the uploads older than uploadKeep.
func (w *uploadPruneWorker) Work(ctx context.Context, _ *river.Job[UploadPruneArgs]) error {
	tag, err := w.store.Pool().Exec(ctx, `DELETE FROM chat_uploads WHERE created_at < $1`, w.store.Now().Add(-uploadKeep))
	if err != nil {
		return fmt.Errorf("chat: upload prune: %w", err)
	}
	if n := tag.RowsAffected(); n > 0 {
		w.log.Debug("chat: pruned visitors' uploads", "deleted", n)
	}
	return nil
}

// uploadPrunePeriodically schedules the hourly prune, at once on start as well.
func uploadPrunePeriodically() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(uploadPruneEvery),
		func() (river.JobArgs, *river.InsertOpts) { return UploadPruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "chat_upload_prune", RunOnStart: true})
}
