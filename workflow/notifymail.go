package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// NotifyMailArgs is the job that mails one notification to an agent who chose to be told by
// email at once. It is enqueued with the notification, in its transaction (through the
// notification.created event: see jobsFor), once per notification.
type NotifyMailArgs struct {
	NotificationID int64 `json:"notification_id"`
	AgentID        int64 `json:"agent_id"`
}

// Kind implements river.JobArgs.
func (NotifyMailArgs) Kind() string { return "notify_mail" }

// InsertOpts sends through the deliver queue, once per notification.
func (NotifyMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// notifyJobs is the mail a notification causes when its agent chose immediate mail. A
// follow-up has its own mail already (FollowupNotifyArgs), which is not sent twice.
func notifyJobs(ev inbox.Event) []river.InsertManyParams {
	if ev.Type != inbox.EventNotificationCreated || ev.Data["mail"] != inbox.MailImmediate || ev.Data["kind"] == inbox.NotifyFollowup {
		return nil
	}
	id, ok := ev.Data["notification_id"].(int64)
	if !ok || id == 0 {
		return nil
	}
	return []river.InsertManyParams{{Args: NotifyMailArgs{NotificationID: id, AgentID: ev.AgentID}}}
}

// NotifyDigestArgs is the daily job (07:00 UTC) that queues one NotifyDigestMailArgs per agent
// who chose the daily digest and has unread notifications no mail told of yet.
type NotifyDigestArgs struct {
	Day time.Time `json:"day"`
}

// Kind implements river.JobArgs.
func (NotifyDigestArgs) Kind() string { return "notify_digest" }

// InsertOpts makes one day's run unique.
func (NotifyDigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// NotifyDigestMailArgs mails one agent the digest of a day: their unread notifications that no
// mail told of yet. Unique by agent and day.
type NotifyDigestMailArgs struct {
	AgentID int64     `json:"agent_id"`
	Day     time.Time `json:"day"`
}

// Kind implements river.JobArgs.
func (NotifyDigestMailArgs) Kind() string { return "notify_digest_mail" }

// InsertOpts sends through the deliver queue, once per agent and day.
func (NotifyDigestMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// dailyAt7 is the digest's schedule: every day at 07:00 UTC.
type dailyAt7 struct{}

// Next implements river.PeriodicSchedule.
func (dailyAt7) Next(t time.Time) time.Time {
	u := t.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day(), 7, 0, 0, 0, time.UTC)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// NotifyDigestPeriodically schedules the daily digest at 07:00 UTC.
func NotifyDigestPeriodically(clock func() time.Time) *river.PeriodicJob {
	return river.NewPeriodicJob(dailyAt7{}, func() (river.JobArgs, *river.InsertOpts) {
		d := clock().UTC()
		return NotifyDigestArgs{Day: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}, nil
	}, &river.PeriodicJobOpts{ID: "notify_digest"})
}

// notifyDigestWorker runs NotifyDigestArgs jobs.
type notifyDigestWorker struct {
	river.WorkerDefaults[NotifyDigestArgs]
	e *engine
}

// Work queues the day's digest mails in one transaction.
func (w *notifyDigestWorker) Work(ctx context.Context, job *river.Job[NotifyDigestArgs]) error {
	ids, err := w.e.store.DigestRecipients(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	jobs := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		jobs[i] = river.InsertManyParams{Args: NotifyDigestMailArgs{AgentID: id, Day: job.Args.Day}}
	}
	return w.e.store.InTx(ctx, func(tx pgx.Tx) error { return w.e.insert(ctx, tx, jobs) })
}

// notifyMailWorker mails notifications: one (NotifyMailArgs) or a day's digest
// (NotifyDigestMailArgs).
type notifyMailWorker struct {
	river.WorkerDefaults[NotifyMailArgs]
	e      *engine
	mailer Mailer
}

// Work mails the notification unless it was read or mailed meanwhile, or the conversation left
// the agent's sight; then marks it mailed.
func (w *notifyMailWorker) Work(ctx context.Context, job *river.Job[NotifyMailArgs]) error {
	return w.e.mailNotices(ctx, w.mailer, job.Args.AgentID, inbox.NotificationQuery{Unmailed: true, ID: job.Args.NotificationID, Limit: 1})
}

// notifyDigestMailWorker runs NotifyDigestMailArgs jobs.
type notifyDigestMailWorker struct {
	river.WorkerDefaults[NotifyDigestMailArgs]
	e      *engine
	mailer Mailer
}

// Work mails the agent's unread, unmailed notifications (the newest 50) in one mail.
func (w *notifyDigestMailWorker) Work(ctx context.Context, job *river.Job[NotifyDigestMailArgs]) error {
	return w.e.mailNotices(ctx, w.mailer, job.Args.AgentID, inbox.NotificationQuery{Unmailed: true, Limit: 50})
}

// mailNotices mails agentID the notifications q finds (as the agent may see them) and marks
// them mailed. Nothing found, or an agent gone or no longer asking for mail, sends nothing.
func (e *engine) mailNotices(ctx context.Context, mailer Mailer, agentID int64, q inbox.NotificationQuery) error {
	if mailer == nil {
		return river.JobCancel(errors.New("workflow: notification mail: no mail server (set PARLEY_SMTP_URL or add an email inbox)"))
	}
	a, err := e.store.GetAgent(ctx, agentID)
	if errors.Is(err, inbox.ErrNotFound) || err == nil && !a.Active {
		return nil
	}
	if err != nil {
		return err
	}
	pref, err := e.store.MailPreference(ctx, agentID)
	if err != nil || pref == inbox.MailOff {
		return err
	}
	v, err := e.store.ViewerOf(ctx, a)
	if err != nil {
		return err
	}
	page, err := e.store.As(v).Notifications(ctx, q)
	if err != nil || len(page.Items) == 0 {
		return err
	}
	subject := "Parley: " + NotificationTitle(page.Items[0])
	if len(page.Items) > 1 {
		subject = fmt.Sprintf("Parley: %d notifications", len(page.Items))
	}
	if err := mailer.SendMail(ctx, a.Email, subject, NotificationMailText(page.Items, a.Name, strings.TrimRight(e.publicURL, "/"))); err != nil {
		return channels.Verdict(fmt.Errorf("workflow: notification mail to agent %d: %w", a.ID, err))
	}
	ids := make([]int64, len(page.Items))
	for i, n := range page.Items {
		ids[i] = n.ID
	}
	return e.store.MarkMailed(ctx, agentID, ids)
}

// NotificationMailText is the plain-text mail of notifications ns to an agent named name, each
// with its conversation's link, and the centre's link at the end.
func NotificationMailText(ns []inbox.Notification, name, publicURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", name)
	for _, n := range ns {
		subject := n.Subject
		if subject == "" {
			subject = "(no subject)"
		}
		fmt.Fprintf(&b, "%s: #%d %s\n", NotificationTitle(n), n.ConversationID, subject)
		if n.Text != "" {
			fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(n.Text, "\n", "\n  "))
		}
		fmt.Fprintf(&b, "  %s%s\n\n", publicURL, n.URL)
	}
	fmt.Fprintf(&b, "All your notifications, and how you are told: %s/notifications\n", publicURL)
	return b.String()
}
