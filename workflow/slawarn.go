package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// EventSLAWarning announces that a clock used up its policy's warning share (at risk).
const EventSLAWarning = "sla.warning"

// SLAWarningArgs is the job scheduled at a clock's warning instant. It does nothing when the
// clock's generation moved on (the instants were recomputed), or the target was met first.
type SLAWarningArgs struct {
	ConversationID int64  `json:"conversation_id"`
	Target         Target `json:"target"`
	Generation     int    `json:"generation"`
}

// Kind implements river.JobArgs.
func (SLAWarningArgs) Kind() string { return "sla_warning" }

// InsertOpts makes the job unique per conversation, target and generation.
func (SLAWarningArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// slaWarningWorker runs SLAWarningArgs jobs.
type slaWarningWorker struct {
	river.WorkerDefaults[SLAWarningArgs]
	e *engine
}

// Work records the warning, announces it and alerts, in one transaction.
func (w *slaWarningWorker) Work(ctx context.Context, job *river.Job[SLAWarningArgs]) error {
	a := job.Args
	var wait time.Duration
	err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		cc, err := w.e.refresh(ctx, tx, a.ConversationID)
		if err != nil {
			return err
		}
		c := cc.clocks[a.Target]
		if c == nil || c.generation != a.Generation || c.state != clockRunning || c.warned != nil || c.breached != nil {
			return nil
		}
		now := w.e.now()
		if now.Before(*c.warn) {
			wait = c.warn.Sub(now)
			return nil
		}
		c.warned = &now
		if _, err := tx.Exec(ctx, `UPDATE sla_clocks SET warned_at = $3, updated_at = $3
			WHERE conversation_id = $1 AND target = $2`, a.ConversationID, a.Target, now); err != nil {
			return err
		}
		data := map[string]any{"target": a.Target, "due_at": *c.due, "warn_at": *c.warn}
		if err := w.e.store.AddAuditTx(ctx, tx, a.ConversationID, inbox.Actor{}, EventSLAWarning, data); err != nil {
			return err
		}
		if err := w.e.publish(ctx, tx, cc, EventSLAWarning, data, now); err != nil {
			return err
		}
		return w.e.insert(ctx, tx, []river.InsertManyParams{{Args: SLAAlertArgs{Event: EventSLAWarning,
			ConversationID: a.ConversationID, Target: a.Target, Due: *c.due}}})
	})
	if errors.Is(err, errNoConversation) {
		return river.JobCancel(err)
	}
	if err == nil && wait > 0 {
		return river.JobSnooze(wait)
	}
	return err
}

// publish announces an SLA event about cc's conversation on tx.
func (e *engine) publish(ctx context.Context, tx pgx.Tx, cc *convClocks, typ string, data map[string]any, at time.Time) error {
	return e.store.Publish(ctx, tx, inbox.Event{Type: typ, ConversationID: cc.id, ContactID: cc.contactID,
		TeamID: cc.teamID, AssigneeID: cc.assigneeID, Status: cc.status, Priority: cc.priority, Data: data, At: at})
}
