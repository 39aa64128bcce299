package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
)

// SlackRespondArgs is the job that answers a Slack click through the response_url Slack gave
// with it, with a note only the clicking member sees ("This survey has closed"). The Slack
// channel enqueues it, because the interactivity endpoint must answer within three seconds and
// makes no outgoing call in the request.
type SlackRespondArgs struct {
	ResponseURL string `json:"response_url"`
	Text        string `json:"text"`
}

// Kind implements river.JobArgs.
func (SlackRespondArgs) Kind() string { return "slack_respond" }

// InsertOpts: a response_url takes five uses within 30 minutes, so a few quick attempts.
func (SlackRespondArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: 4}
}

// SlackResponder posts an ephemeral note to a Slack response_url; the Slack channel implements
// it. Its errors follow SlackProfiles' convention (Temporary false: give up; RetryAfter: wait).
type SlackResponder interface {
	SlackRespond(ctx context.Context, responseURL, text string) error
}

// slackRespondWorker runs SlackRespondArgs jobs.
type slackRespondWorker struct {
	river.WorkerDefaults[SlackRespondArgs]
	Responder SlackResponder
	Log       *slog.Logger
}

// Work posts the note.
func (w *slackRespondWorker) Work(ctx context.Context, job *river.Job[SlackRespondArgs]) error {
	if w.Responder == nil {
		return river.JobCancel(errors.New("workflow: slack respond: no Slack channel on this server"))
	}
	if err := w.Responder.SlackRespond(ctx, job.Args.ResponseURL, job.Args.Text); err != nil {
		return providerRetry(fmt.Errorf("workflow: slack respond: %w", err))
	}
	return nil
}
