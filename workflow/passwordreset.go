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

// Mailer sends Parley's own mail to an agent (a password reset link), as opposed to a
// conversation's reply. cmd/parley builds it from PARLEY_SMTP_URL, or else the first email
// inbox's SMTP settings. An error with Temporary() false is permanent (channels.Verdict).
type Mailer interface {
	SendMail(ctx context.Context, to, subject, text string) error
}

// ResetMailArgs is the job that mails an agent a password reset link.
type ResetMailArgs struct {
	AgentID int64 `json:"agent_id"`
}

// Kind implements river.JobArgs.
func (ResetMailArgs) Kind() string { return "password_reset_mail" }

// InsertOpts sends reset mail through the deliver queue, a few times at most: a link that
// arrives an hour late is of little use.
func (ResetMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: 5}
}

// JobInserter inserts a job on a transaction (Enqueuer implements it).
type JobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error
}

// PasswordResets takes the requests of "Forgot password?": the web form calls Request.
type PasswordResets struct {
	store *inbox.Store
	jobs  JobInserter
}

// NewPasswordResets returns the reset desk of store, queuing its mail through jobs.
func NewPasswordResets(store *inbox.Store, jobs JobInserter) *PasswordResets {
	return &PasswordResets{store: store, jobs: jobs}
}

// Request records a reset request for email from ip and, when an agent has that address,
// queues the job that mails the link (in the same transaction). It answers the same whether
// the address exists or not; the audit log records which.
func (p *PasswordResets) Request(ctx context.Context, email, ip string) error {
	return p.store.RequestReset(ctx, email, ip, func(ctx context.Context, tx pgx.Tx, agentID int64) error {
		return p.jobs.InsertTx(ctx, tx, ResetMailArgs{AgentID: agentID})
	})
}

// resetMailWorker mails reset links. The token is made in the job, not in the request, so the
// raw token is never stored, not even in the job's arguments; a retried job makes a new one
// (which supersedes the last).
type resetMailWorker struct {
	river.WorkerDefaults[ResetMailArgs]
	store     *inbox.Store
	mailer    Mailer
	publicURL string
}

// NewResetMailWorker returns the worker of ResetMailArgs jobs: it issues a token and mails the
// link publicURL/reset/{token} through mailer. cmd/parley adds it to Config.Workers.
func NewResetMailWorker(store *inbox.Store, mailer Mailer, publicURL string) channels.Worker {
	return channels.NewWorker(&resetMailWorker{store: store, mailer: mailer, publicURL: strings.TrimRight(publicURL, "/")})
}

// Work issues the token and sends the mail.
func (w *resetMailWorker) Work(ctx context.Context, job *river.Job[ResetMailArgs]) error {
	if w.mailer == nil {
		return river.JobCancel(errors.New("workflow: reset mail: no mail server (set PARLEY_SMTP_URL or add an email inbox)"))
	}
	token, agent, err := w.store.IssueReset(ctx, job.Args.AgentID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if err := w.mailer.SendMail(ctx, agent.Email, "Reset your Parley password", ResetMailText(agent.Name, w.publicURL, token)); err != nil {
		return channels.Verdict(fmt.Errorf("workflow: reset mail to agent %d: %w", agent.ID, err))
	}
	return nil
}

// ResetMailText is the password reset mail to an agent named name, with the link
// publicURL/reset/{token}.
func ResetMailText(name, publicURL, token string) string {
	return fmt.Sprintf("Hello %s,\n\nSomeone, probably you, asked to reset your Parley password. "+
		"Open this link within %d minutes to choose a new one:\n\n%s/reset/%s\n\n"+
		"The link works once. If you did not ask, ignore this mail: your password stays as it is.\n",
		name, int(inbox.ResetTTL.Minutes()), publicURL, token)
}
