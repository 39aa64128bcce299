package channels

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// FetchAttachmentArgs is the job that fetches one file a customer sent from the provider that
// keeps it until asked (an MMS picture at Twilio, a file shared in Slack) and attaches it to
// the message: the channel enqueues one per file in the transaction that stored the message,
// because its webhook must be answered at once and the provider is never called inside it.
// workflow works it with the channel's AttachmentFetcher.
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
// SMS and Slack channels implement it. Its errors follow the package's convention: Temporary
// false is permanent (the file is gone, the credentials are revoked) and the job gives up;
// RetryAfter waits; anything else is retried with backoff.
type AttachmentFetcher interface {
	FetchAttachment(ctx context.Context, inboxID int64, url string) (inbox.NewAttachment, error)
}
