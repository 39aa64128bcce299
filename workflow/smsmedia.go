package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// SMSMediaArgs is the job that fetches one MMS attachment from Twilio, which keeps a message's
// media until asked for them, and stores it on the message: the SMS channel enqueues one per
// media item in the transaction that stored the message, because Twilio's webhook must be
// answered at once and Twilio is never called inside that request.
type SMSMediaArgs struct {
	MessageID int64  `json:"message_id"`
	InboxID   int64  `json:"inbox_id"` // the SMS inbox whose credentials fetch the media
	URL       string `json:"url"`      // Twilio's MediaUrlN
	Filename  string `json:"filename"` // the name it is stored under, unique within the message
}

// Kind implements river.JobArgs.
func (SMSMediaArgs) Kind() string { return "sms_media" }

// InsertOpts makes one fetch per media item at a time.
func (SMSMediaArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SMSMedia fetches MMS media with an SMS inbox's credentials; the SMS channel implements it.
// An error whose Temporary method reports false is permanent (the media is gone, the
// credentials are revoked): the job gives up. Any other error is retried with backoff.
type SMSMedia interface {
	FetchMedia(ctx context.Context, inboxID int64, url string) (inbox.NewAttachment, error)
}

// SMSMediaWorker runs SMSMediaArgs jobs.
type SMSMediaWorker struct {
	river.WorkerDefaults[SMSMediaArgs]
	Store *inbox.Store
	Media SMSMedia
}

// Work fetches the media item and attaches it to its message, once.
func (w *SMSMediaWorker) Work(ctx context.Context, job *river.Job[SMSMediaArgs]) error {
	if w.Media == nil {
		return river.JobCancel(errors.New("workflow: sms media: no SMS channel on this server"))
	}
	a, err := w.Media.FetchMedia(ctx, job.Args.InboxID, job.Args.URL)
	if err != nil {
		return providerRetry(fmt.Errorf("workflow: sms media of message %d: %w", job.Args.MessageID, err))
	}
	a.Filename = job.Args.Filename
	_, err = w.Store.AttachFetched(ctx, job.Args.MessageID, a)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	return err
}
