package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// EventSLABreach announces a missed SLA target (the supervisor dashboard's live feed).
const EventSLABreach = "sla.breach"

// SLABreachArgs is the job scheduled at a clock's due instant. It does nothing when the clock's
// generation moved on (the due instant was recomputed) or the target was met in time; otherwise
// it records the breach and escalates by the policy's first level.
type SLABreachArgs struct {
	ConversationID int64      `json:"conversation_id"`
	Target         sla.Target `json:"target"`
	Generation     int        `json:"generation"`
}

// Kind implements river.JobArgs.
func (SLABreachArgs) Kind() string { return "sla_breach" }

// InsertOpts makes the job unique per conversation, target and generation, on the deadlines
// queue.
func (SLABreachArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDeadlines, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// slaBreachWorker runs SLABreachArgs jobs.
type slaBreachWorker struct {
	river.WorkerDefaults[SLABreachArgs]
	e *engine
}

// Work refreshes the clock (a reply committed just before the deadline counts) and, if the
// target is still unmet at its due instant, records the breach.
func (w *slaBreachWorker) Work(ctx context.Context, job *river.Job[SLABreachArgs]) error {
	a := job.Args
	return w.e.atInstant(ctx, a.ConversationID, a.Target, a.Generation, clockInstant{
		at:    func(c *clockRow) *time.Time { return c.due },
		done:  func(cc *convClocks, c *clockRow) bool { return c.breached != nil || cc.policy == nil },
		act:   w.e.breach,
		event: EventSLABreach,
	})
}

// breach records clock c of cc as missed at now, applies the first escalation level, schedules
// the later ones and announces it, all on tx.
func (e *engine) breach(ctx context.Context, tx pgx.Tx, cc *convClocks, c *clockRow, now time.Time) error {
	var id int64
	err := tx.QueryRow(ctx, `WITH b AS (INSERT INTO sla_breaches (conversation_id, target, policy_id, started_at, due_at,
				breached_at, assignee_id, team_id, level)
			VALUES ($1, $2, $3, $4, $5, $6, nullif($7::bigint, 0), nullif($8::bigint, 0), 1)
			ON CONFLICT (conversation_id, target, started_at) DO NOTHING RETURNING id),
		k AS (UPDATE sla_clocks SET breached_at = $6, level = 1, updated_at = $6
			WHERE conversation_id = $1 AND target = $2 AND EXISTS (SELECT 1 FROM b))
		SELECT id FROM b`,
		cc.id, c.target, cc.policy.ID, c.start, *c.due, now, cc.assigneeID, cc.teamID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // this cycle's breach is recorded already
	}
	if err != nil {
		return fmt.Errorf("workflow: record breach: %w", err)
	}
	c.breached, c.level = &now, 1
	// Told before the first level may hand the conversation to someone else (who is told of that).
	if err := e.notifySLA(ctx, tx, cc, inbox.NotifySLABreach, c.target, *c.due); err != nil {
		return err
	}
	data := map[string]any{"breach_id": id, "target": c.target, "due_at": *c.due, "level": 1,
		"assignee_id": cc.assigneeID, "team_id": cc.teamID, "policy_id": cc.policy.ID}
	jobs, err := e.applyLevel(ctx, tx, cc, *cc.policy, escalation{breachID: id, target: c.target, due: *c.due, level: 1}, data)
	if err != nil {
		return err
	}
	for i := 1; i < len(cc.policy.Levels); i++ {
		at := cc.policy.Calendar.Add(*c.due, cc.policy.Levels[i].After())
		if at.Before(now) {
			at = now
		}
		jobs = append(jobs, river.InsertManyParams{Args: SLAEscalateArgs{BreachID: id, Level: i + 1}, InsertOpts: scheduled(at)})
	}
	if err := e.insert(ctx, tx, jobs); err != nil {
		return err
	}
	if err := e.store.AddAuditTx(ctx, tx, cc.id, inbox.Actor{}, EventSLABreach, data); err != nil {
		return err
	}
	return e.publish(ctx, tx, cc, EventSLABreach, data, now)
}
