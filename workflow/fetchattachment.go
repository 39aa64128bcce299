package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// FetchAttachmentArgs is the job that fetches one file a customer sent from the provider that
// keeps it until asked (an MMS picture at Twilio, a file shared in Slack) and attaches it to
// the message: the channel enqueues one per file in the transaction that stored the message,
// because its webhook must be answered at once and the provider is never called inside it.
type FetchAttachmentArgs struct {
	MessageID int64         `json:"message_id"`
	Channel   inbox.Channel `json:"channel"`  // whose AttachmentFetcher fetches it
	InboxID   int64         `json:"inbox_id"` // the inbox whose credentials fetch it
	URL       string        `json:"url"`      // where the provider serves the file
	Filename  string        `json:"filename"` // the name it is stored under, unique within the message
}

// Kind implements river.JobArgs.
func (FetchAttachmentArgs) Kind() string { return "fetch_attachment" }

// InsertOpts makes one fetch per file at a time.
func (FetchAttachmentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AttachmentFetcher fetches a file from a channel's provider with an inbox's credentials; the
// SMS and Slack channels implement it. An error whose Temporary method reports false is
// permanent (the file is gone, the credentials are revoked): the job gives up. One whose
// RetryAfter method reports a positive duration is tried again after it; any other error is
// retried with backoff.
type AttachmentFetcher interface {
	FetchAttachment(ctx context.Context, inboxID int64, url string) (inbox.NewAttachment, error)
}

// FetchAttachmentWorker runs FetchAttachmentArgs jobs.
type FetchAttachmentWorker struct {
	river.WorkerDefaults[FetchAttachmentArgs]
	Store    *inbox.Store
	Fetchers map[inbox.Channel]AttachmentFetcher
}

// Work fetches the file and attaches it to its message, once.
func (w *FetchAttachmentWorker) Work(ctx context.Context, job *river.Job[FetchAttachmentArgs]) error {
	f, ok := w.Fetchers[job.Args.Channel]
	if !ok {
		return river.JobCancel(fmt.Errorf("workflow: fetch attachment: no %s channel on this server", job.Args.Channel))
	}
	a, err := f.FetchAttachment(ctx, job.Args.InboxID, job.Args.URL)
	if err != nil {
		return providerRetry(fmt.Errorf("workflow: fetch attachment of message %d: %w", job.Args.MessageID, err))
	}
	a.Filename = job.Args.Filename
	_, err = w.Store.AttachFetched(ctx, job.Args.MessageID, a)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	return err
}
