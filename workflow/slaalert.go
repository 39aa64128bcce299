package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// Alerter tells staff outside Parley about SLA trouble: a channel's channels.Alerter (the
// Slack channel posts to a team's alert channel). teamID is the conversation's team (0: none;
// post to a default channel or drop it). An error whose Temporary method reports false is
// final; others are retried. Alerts are also in the audit trail and the live events, so
// nothing is lost without one.
type Alerter interface {
	Alert(ctx context.Context, teamID int64, alert channels.Alert) error
}

// SLAAlertArgs is the job that hands one SLA alert to the Alerter, outside the transaction
// that recorded it, with retries.
type SLAAlertArgs struct {
	// Event is the alert's kind: EventSLAWarning, EventSLABreach or EventSLAEscalated (the
	// strings of channels.AlertWarning, AlertBreach and AlertEscalated).
	Event          string     `json:"event"`
	ConversationID int64      `json:"conversation_id"`
	Target         sla.Target `json:"target"`
	Level          int        `json:"level,omitempty"`
	Due            time.Time  `json:"due"`
	BreachID       int64      `json:"breach_id,omitempty"`
}

// Kind implements river.JobArgs.
func (SLAAlertArgs) Kind() string { return "sla_alert" }

// InsertOpts tries an alert for about an hour at most.
func (SLAAlertArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// slaAlertWorker runs SLAAlertArgs jobs.
type slaAlertWorker struct {
	river.WorkerDefaults[SLAAlertArgs]
	e *engine
}

// Work builds the alert from the conversation's current state and sends it.
func (w *slaAlertWorker) Work(ctx context.Context, job *river.Job[SLAAlertArgs]) error {
	if w.e.alerter == nil {
		return nil // no alert channel configured: the audit trail and the live event remain
	}
	a := job.Args
	conv, err := w.e.store.GetConversation(ctx, a.ConversationID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	al := channels.Alert{Kind: a.Event, ConversationID: conv.ID, Subject: conv.Subject, Target: string(a.Target), Due: a.Due,
		Level: a.Level, Priority: conv.Priority}
	if conv.TeamID != nil {
		al.TeamID = *conv.TeamID
		team, err := w.e.store.GetTeam(ctx, al.TeamID)
		if err != nil {
			return fmt.Errorf("workflow: alert: %w", err)
		}
		al.TeamName = team.Name
	}
	if conv.AssigneeID != nil {
		ag, err := w.e.store.GetAgent(ctx, *conv.AssigneeID)
		if err != nil && !errors.Is(err, inbox.ErrNotFound) {
			return err
		}
		al.AssigneeID, al.AssigneeName = ag.ID, ag.Name
	}
	if err := w.e.alerter.Alert(ctx, al.TeamID, al); err != nil {
		var t interface{ Temporary() bool }
		if errors.As(err, &t) && !t.Temporary() {
			w.e.log.Warn("sla alert refused", "conversation", conv.ID, "err", err)
			return river.JobCancel(err)
		}
		return fmt.Errorf("workflow: alert: %w", err)
	}
	return nil
}
