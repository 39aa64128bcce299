package workflow

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// EventSLAWarning announces that a clock used up its policy's warning share (at risk).
const EventSLAWarning = "sla.warning"

// SLAWarningArgs is the job scheduled at a clock's warning instant. It does nothing when the
// clock's generation moved on (the instants were recomputed), or the target was met first.
type SLAWarningArgs struct {
	ConversationID int64      `json:"conversation_id"`
	Target         sla.Target `json:"target"`
	Generation     int        `json:"generation"`
}

// Kind implements river.JobArgs.
func (SLAWarningArgs) Kind() string { return "sla_warning" }

// InsertOpts makes the job unique per conversation, target and generation, on the deadlines
// queue.
func (SLAWarningArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeadlines, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// slaWarningWorker runs SLAWarningArgs jobs.
type slaWarningWorker struct {
	river.WorkerDefaults[SLAWarningArgs]
	e *engine
}

// Work records the warning, announces it and alerts, in one transaction.
func (w *slaWarningWorker) Work(ctx context.Context, job *river.Job[SLAWarningArgs]) error {
	a := job.Args
	return w.e.atInstant(ctx, a.ConversationID, a.Target, a.Generation, clockInstant{
		at:    func(c *clockRow) *time.Time { return c.warn },
		done:  func(_ *convClocks, c *clockRow) bool { return c.warned != nil || c.breached != nil },
		act:   w.e.warn,
		event: EventSLAWarning,
	})
}

// warn records clock c of cc's warning at now, announces it and alerts the team, on tx.
func (e *engine) warn(ctx context.Context, tx pgx.Tx, cc *convClocks, c *clockRow, now time.Time) error {
	c.warned = &now
	if _, err := tx.Exec(ctx, `UPDATE sla_clocks SET warned_at = $3, updated_at = $3
		WHERE conversation_id = $1 AND target = $2`, cc.id, c.target, now); err != nil {
		return err
	}
	data := map[string]any{"target": c.target, "due_at": *c.due, "warn_at": *c.warn}
	if err := e.store.AddAuditTx(ctx, tx, cc.id, inbox.Actor{}, EventSLAWarning, data); err != nil {
		return err
	}
	if err := e.publish(ctx, tx, cc, EventSLAWarning, data, now); err != nil {
		return err
	}
	if err := e.notifySLA(ctx, tx, cc, inbox.NotifySLAWarning, c.target, *c.due); err != nil {
		return err
	}
	return e.insert(ctx, tx, []river.InsertManyParams{{Args: SLAAlertArgs{Event: EventSLAWarning,
		ConversationID: cc.id, Target: c.target, Due: *c.due}}})
}

// publish announces an SLA event about cc's conversation on tx.
func (e *engine) publish(ctx context.Context, tx pgx.Tx, cc *convClocks, typ string, data map[string]any, at time.Time) error {
	return e.store.Publish(ctx, tx, inbox.Event{Type: typ, ConversationID: cc.id, ContactID: cc.contactID,
		TeamID: cc.teamID, AssigneeID: cc.assigneeID, Status: cc.status, Priority: cc.priority, Data: data, At: at})
}
