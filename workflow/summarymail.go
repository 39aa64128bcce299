package workflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// WeeklySummaryArgs is the Monday job that mails last week's Summary (Monday to Monday, UTC) to
// every active supervisor and admin: it queues one SummaryMailArgs per recipient, each unique by
// its arguments, so a retried or doubled run mails nobody twice.
type WeeklySummaryArgs struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Kind implements river.JobArgs.
func (WeeklySummaryArgs) Kind() string { return "weekly_summary" }

// InsertOpts makes one week's run unique.
func (WeeklySummaryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SummaryMailArgs is the job that mails one agent the Summary of [From, To). Summary is the one
// the weekly fan-out computed for every recipient (computed again when absent); the job is
// unique by agent and period only.
type SummaryMailArgs struct {
	AgentID int64     `json:"agent_id" river:"unique"`
	From    time.Time `json:"from" river:"unique"`
	To      time.Time `json:"to" river:"unique"`
	Summary *Summary  `json:"summary,omitempty"`
}

// Kind implements river.JobArgs.
func (SummaryMailArgs) Kind() string { return "summary_mail" }

// InsertOpts sends through the deliver queue, once per agent and period.
func (SummaryMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeliver, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// lastWeek is the UTC week (Monday 00:00 to Monday 00:00) before the one now is in.
func lastWeek(now time.Time) (from, to time.Time) {
	d := now.UTC()
	to = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	to = to.AddDate(0, 0, -((int(to.Weekday()) + 6) % 7)) // back to Monday
	return to.AddDate(0, 0, -7), to
}

// mondays is the periodic schedule of the weekly summary: Mondays at 07:00 UTC.
type mondays struct{}

// Next implements river.PeriodicSchedule.
func (mondays) Next(t time.Time) time.Time {
	_, monday := lastWeek(t)
	next := monday.Add(7 * time.Hour)
	if !next.After(t) {
		next = next.AddDate(0, 0, 7)
	}
	return next
}

// WeeklySummaryPeriodically schedules the weekly summary on Mondays at 07:00 UTC, for the
// week before; cmd/parley adds it to Config.PeriodicJobs.
func WeeklySummaryPeriodically(clock func() time.Time) *river.PeriodicJob {
	return river.NewPeriodicJob(mondays{}, func() (river.JobArgs, *river.InsertOpts) {
		from, to := lastWeek(clock())
		return WeeklySummaryArgs{From: from, To: to}, nil
	}, &river.PeriodicJobOpts{ID: "weekly_summary"})
}

// weeklySummaryWorker runs WeeklySummaryArgs jobs.
type weeklySummaryWorker struct {
	river.WorkerDefaults[WeeklySummaryArgs]
	e *engine
	s *SLA
}

// Work computes the week's Summary once and queues a SummaryMailArgs carrying it for every
// active supervisor and admin, in one transaction.
func (w *weeklySummaryWorker) Work(ctx context.Context, job *river.Job[WeeklySummaryArgs]) error {
	agents, err := w.e.store.Agents(ctx)
	if err != nil {
		return err
	}
	var jobs []river.InsertManyParams
	for _, a := range agents {
		if a.Active && (a.Role == inbox.RoleSupervisor || a.Role == inbox.RoleAdmin) {
			jobs = append(jobs, river.InsertManyParams{Args: SummaryMailArgs{AgentID: a.ID, From: job.Args.From, To: job.Args.To}})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	sum, err := w.s.Summary(ctx, inbox.Everyone(), inbox.ReportFilter{From: job.Args.From, To: job.Args.To})
	if err != nil {
		return err
	}
	for i := range jobs {
		args := jobs[i].Args.(SummaryMailArgs)
		args.Summary = &sum
		jobs[i].Args = args
	}
	return w.e.store.InTx(ctx, func(tx pgx.Tx) error { return w.e.insert(ctx, tx, jobs) })
}

// summaryMailWorker runs SummaryMailArgs jobs.
type summaryMailWorker struct {
	river.WorkerDefaults[SummaryMailArgs]
	e      *engine
	s      *SLA
	mailer Mailer
}

// Work mails the summary to the agent, if they are still an active supervisor or admin.
func (w *summaryMailWorker) Work(ctx context.Context, job *river.Job[SummaryMailArgs]) error {
	if w.mailer == nil {
		return river.JobCancel(errors.New("workflow: summary mail: no mail server (set PARLEY_SMTP_URL or add an email inbox)"))
	}
	a, err := w.e.store.GetAgent(ctx, job.Args.AgentID)
	if errors.Is(err, inbox.ErrNotFound) || err == nil && (!a.Active || a.Role == inbox.RoleAgent) {
		return river.JobCancel(fmt.Errorf("workflow: summary mail: agent %d is gone or no longer a supervisor", job.Args.AgentID))
	}
	if err != nil {
		return err
	}
	sum := job.Args.Summary
	if sum == nil {
		s, err := w.s.Summary(ctx, inbox.Everyone(), inbox.ReportFilter{From: job.Args.From, To: job.Args.To})
		if err != nil {
			return err
		}
		sum = &s
	}
	subject := "Parley: the week of " + sum.From.Format("2 January 2006")
	if err := w.mailer.SendMail(ctx, a.Email, subject, SummaryText(*sum, a.Name, strings.TrimRight(w.e.publicURL, "/"))); err != nil {
		return channels.Verdict(fmt.Errorf("workflow: summary mail to agent %d: %w", a.ID, err))
	}
	return nil
}

// SummaryText is the summary as the plain-text mail supervisors read, with the dashboard's link
// for the same period.
func SummaryText(s Summary, name, publicURL string) string {
	var b strings.Builder
	last := s.To.AddDate(0, 0, -1)
	fmt.Fprintf(&b, "Hello %s,\n\nHere is %s to %s (UTC), with the week before in brackets.\n\n", name,
		s.From.Format("Monday 2 January"), last.Format("Monday 2 January 2006"))
	row := func(label, now, before string) { fmt.Fprintf(&b, "  %-28s %s (%s)\n", label, now, before) }
	n := func(v int64) string { return fmt.Sprintf("%d", v) }
	row("New conversations", n(s.Conversations), n(s.Previous.Conversations))
	row("Of them resolved", n(s.Resolved), n(s.Previous.Resolved))
	row("First response, median", spanText(s.FirstResponse), spanText(s.Previous.FirstResponse))
	row("Resolution, median", spanText(s.Resolution), spanText(s.Previous.Resolution))
	row("SLA targets met", percentText(s.SLAMet, s.SLADecided), percentText(s.Previous.SLAMet, s.Previous.SLADecided))
	row("SLA breaches", n(s.Breaches), n(s.Previous.Breaches))
	row("Satisfaction (1-5)", csatText(s.Figures), csatText(s.Previous))
	row("Low scores (1 or 2)", n(s.CSATLow), n(s.Previous.CSATLow))
	row("Complaints", n(s.Complaints), n(s.Previous.Complaints))
	row("Of them resolved", n(s.ComplaintsResolved), n(s.Previous.ComplaintsResolved))
	if len(s.Channels) > 0 {
		b.WriteString("\nBy channel:")
		for i, c := range s.Channels {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s %d", sep, c.Channel, c.Conversations)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nWaiting now: %d open, %d of them unassigned.\n", s.OpenNow, s.UnassignedNow)
	q := url.Values{"period": {"custom"}, "from": {s.From.Format(time.DateOnly)}, "to": {last.Format(time.DateOnly)}}
	fmt.Fprintf(&b, "\nThe dashboard for the week: %s/dashboard?%s\nThe complaint register: %s/complaints\n", publicURL, q.Encode(), publicURL)
	return b.String()
}

// spanText is a median in words ("1h 05m", "4m 10s"), "none" without values.
func spanText(s spreadJSON) string {
	if s.N == 0 {
		return "none"
	}
	d := s.Median().Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours()/24), int(d.Hours())%24)
}

func percentText(p float64, of int64) string {
	if of == 0 {
		return "none decided"
	}
	return fmt.Sprintf("%.0f%% of %d", p, of)
}

func csatText(f Figures) string {
	if f.CSATAnswered == 0 {
		return "no answers"
	}
	return fmt.Sprintf("%.1f from %d answers", f.CSATAverage, f.CSATAnswered)
}
