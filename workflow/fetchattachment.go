package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// fetchAttachmentWorker runs channels.FetchAttachmentArgs jobs with the channels' fetchers.
type fetchAttachmentWorker struct {
	river.WorkerDefaults[channels.FetchAttachmentArgs]
	Store    *inbox.Store
	Fetchers map[inbox.Channel]channels.AttachmentFetcher
}

// Work fetches the file and attaches it to its message, once.
func (w *fetchAttachmentWorker) Work(ctx context.Context, job *river.Job[channels.FetchAttachmentArgs]) error {
	f, ok := w.Fetchers[job.Args.Channel]
	if !ok {
		return river.JobCancel(fmt.Errorf("workflow: fetch attachment: no %s channel on this server", job.Args.Channel))
	}
	a, err := f.FetchAttachment(ctx, job.Args.InboxID, job.Args.URL)
	if err != nil {
		return channels.Verdict(fmt.Errorf("workflow: fetch attachment of message %d: %w", job.Args.MessageID, err))
	}
	a.Filename = job.Args.Filename
	_, err = w.Store.AttachFetched(ctx, job.Args.MessageID, a)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	return err
}
