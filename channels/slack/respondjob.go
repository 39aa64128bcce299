package slack

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
)

// RespondArgs is the job that answers a Slack click through the response_url Slack gave with
// it, with a note only the clicking member sees ("This survey has closed"). The interactivity
// handler enqueues it, because it must answer within three seconds and makes no outgoing call
// in the request.
type RespondArgs struct {
	ResponseURL string `json:"response_url"`
	Text        string `json:"text"`
}

// Kind implements river.JobArgs.
func (RespondArgs) Kind() string { return "slack_respond" }

// InsertOpts: a response_url takes five uses within 30 minutes, so a few quick attempts, in
// the queue of the calls made to providers on a customer's behalf.
func (RespondArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: channels.QueueDeliver, MaxAttempts: 4}
}

// respondWorker runs RespondArgs jobs.
type respondWorker struct {
	river.WorkerDefaults[RespondArgs]
	responder *Responder
}

// Work posts the note; Slack's errors take the verdict of channels.Verdict.
func (w *respondWorker) Work(ctx context.Context, job *river.Job[RespondArgs]) error {
	if err := w.responder.SlackRespond(ctx, job.Args.ResponseURL, job.Args.Text); err != nil {
		return channels.Verdict(fmt.Errorf("slack: respond job: %w", err))
	}
	return nil
}
