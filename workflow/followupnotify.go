package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// FollowupNotifyArgs is the job that tells a follow-up's assignee, by mail, that an unhappy
// customer awaits them. It is enqueued with the survey answer that opened the follow-up, in
// that answer's transaction (through the survey.answered event: see jobsFor).
type FollowupNotifyArgs struct {
	FollowupID int64 `json:"followup_id"`
}

// Kind implements river.JobArgs.
func (FollowupNotifyArgs) Kind() string { return "followup_notify" }

// InsertOpts sends the mail through the deliver queue, once per follow-up.
func (FollowupNotifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// followupJobs is the notification a survey answer's event causes when it opened a follow-up.
func followupJobs(ev inbox.Event) []river.InsertManyParams {
	if ev.Type != EventSurveyAnswered {
		return nil
	}
	id, ok := ev.Data["followup_id"].(int64)
	if !ok || id == 0 {
		return nil
	}
	return []river.InsertManyParams{{Args: FollowupNotifyArgs{FollowupID: id}}}
}

// followupNotifyWorker mails follow-up notices.
type followupNotifyWorker struct {
	river.WorkerDefaults[FollowupNotifyArgs]
	store     *inbox.Store
	mailer    Mailer
	publicURL string
}

// NewFollowupNotifyWorker returns the worker of FollowupNotifyArgs jobs: it mails the
// follow-up's assignee a link to the conversation, publicURL/inbox/{id}, whose page shows the
// follow-up and its form. cmd/parley adds it to Config.Workers.
func NewFollowupNotifyWorker(store *inbox.Store, mailer Mailer, publicURL string) channels.Worker {
	return channels.NewWorker(&followupNotifyWorker{store: store, mailer: mailer, publicURL: strings.TrimRight(publicURL, "/")})
}

// Work sends the notice; a follow-up closed or reassigned to nobody meanwhile needs none.
func (w *followupNotifyWorker) Work(ctx context.Context, job *river.Job[FollowupNotifyArgs]) error {
	if w.mailer == nil {
		return river.JobCancel(errors.New("workflow: follow-up notice: no mail server (set PARLEY_SMTP_URL or add an email inbox)"))
	}
	var f Followup
	err := w.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		f, err = scanFollowup(tx.QueryRow(ctx, `SELECT `+followupCols+followupFrom+` WHERE f.id = $1`, job.Args.FollowupID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("workflow: follow-up %d: %w", job.Args.FollowupID, inbox.ErrNotFound))
	}
	if err != nil {
		return fmt.Errorf("workflow: follow-up notice: %w", err)
	}
	if f.Status != FollowupOpen || f.AssigneeID == nil {
		return nil
	}
	agent, err := w.store.GetAgent(ctx, *f.AssigneeID)
	if errors.Is(err, inbox.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("workflow: follow-up notice: %w", err)
	}
	subject := fmt.Sprintf("Follow up: a customer rated us %d/5", f.Score)
	if err := w.mailer.SendMail(ctx, agent.Email, subject, FollowupMailText(f, agent.Name, w.publicURL)); err != nil {
		return channels.Verdict(fmt.Errorf("workflow: follow-up notice to agent %d: %w", agent.ID, err))
	}
	return nil
}

// FollowupMailText is the follow-up notice to an agent named name: the score, the comment and
// the conversation's link (publicURL/inbox/{id}).
func FollowupMailText(f Followup, name, publicURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nA customer rated the conversation %q %d out of 5", name, f.Subject, f.Score)
	if f.Comment != "" {
		fmt.Fprintf(&b, " and wrote:\n\n  %s\n\n", f.Comment)
	} else {
		b.WriteString(".\n\n")
	}
	fmt.Fprintf(&b, "Please get in touch with them and record what you did by %s:\n\n%s%s\n",
		f.DueAt.UTC().Format("Monday 2 January 15:04 MST"), publicURL, inbox.ConversationPath(f.ConversationID))
	return b.String()
}
