package email

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// QueueMailbox runs the mailbox poll jobs. Each holds its worker for up to PollTimeout while it
// waits on IMAP IDLE, so they have a queue of their own and never delay routing, SLA jobs or
// deliveries.
const QueueMailbox = "mailbox"

// PollTimeout bounds one poll job; Fetcher.Poll returns within it (after DefaultIdleFor of IDLE
// by default). It is the server's longest job timeout (channels.JobTimeout), under River's
// rescue interval, so a live poll is never rescued and run twice; a poll of a process that
// died is run again by another within about a minute.
const PollTimeout = channels.JobTimeout

// pollAttempts is how often a failing poll (a server down, a refused login) is retried, every
// few minutes at most, before the job is discarded; the sweep (PollSweepArgs) then starts a
// fresh one, so a broken mailbox is retried for as long as it exists.
const pollAttempts = 25

// maxMailboxes is how many mailboxes one process reads at once: the mailbox queue's workers.
const maxMailboxes = 50

// PollArgs is the job that reads one email inbox's mailbox: it syncs the new mail, waits for
// more (IMAP IDLE) or for the poll interval, and snoozes itself to run again, so each email
// inbox always has exactly one such job, whichever process runs it.
type PollArgs struct {
	InboxID int64 `json:"inbox_id"`
}

// Kind implements river.JobArgs.
func (PollArgs) Kind() string { return "email_poll" }

// InsertOpts puts polls in their own queue, one job per inbox while it is waiting, scheduled
// or running (a finished or discarded one does not block a new one).
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMailbox, MaxAttempts: pollAttempts, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// mailboxes reads email inboxes' mail: the Fetcher.
type mailboxes interface {
	// Poll brings an inbox up to date with its mailbox, possibly waiting a while for new mail,
	// and reports when to poll it again (0: at once). An inbox that no longer exists is
	// inbox.ErrNotFound; any other error is retried with backoff.
	Poll(ctx context.Context, inboxID int64) (next time.Duration, err error)
}

// pollWorker runs PollArgs jobs.
type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	mailboxes mailboxes // nil on a server that cannot open the mailboxes (no PARLEY_SECRET_KEY)
}

// Work polls the mailbox and snoozes the job until the next poll; a snooze uses up no attempt.
// A deleted inbox ends its job; a failure is retried with backoff (NextRetry); a poll cut short
// by shutdown snoozes for no time, so that another process takes the mailbox over at once.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	if w.mailboxes == nil {
		return river.JobCancel(errors.New("email: poll: the email channel is off on this server"))
	}
	next, err := w.mailboxes.Poll(ctx, job.Args.InboxID)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		return river.JobCancel(err)
	case err != nil && ctx.Err() != nil:
		return river.JobSnooze(0)
	case err != nil:
		return fmt.Errorf("email: poll inbox %d: %w", job.Args.InboxID, err)
	}
	return river.JobSnooze(max(next, 0))
}

// Timeout is PollTimeout.
func (w *pollWorker) Timeout(*river.Job[PollArgs]) time.Duration { return PollTimeout }

// NextRetry reconnects with exponential backoff from 5 s, capped at 5 minutes.
func (w *pollWorker) NextRetry(job *river.Job[PollArgs]) time.Time {
	return time.Now().Add(min(5*time.Second<<min(job.Attempt, 10), 5*time.Minute))
}
