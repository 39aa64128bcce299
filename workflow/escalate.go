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

// EventSLAEscalated announces that a breach climbed its policy's escalation ladder.
const EventSLAEscalated = "sla.escalated"

// SLAEscalateArgs is the job that applies escalation level Level (2 and up) of a breach, at the
// business time its policy sets after the missed due instant. It does nothing once the target
// is met or the level was reached.
type SLAEscalateArgs struct {
	BreachID int64 `json:"breach_id"`
	Level    int   `json:"level"`
}

// Kind implements river.JobArgs.
func (SLAEscalateArgs) Kind() string { return "sla_escalate" }

// InsertOpts makes the job unique per breach and level.
func (SLAEscalateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// escalateWorker runs SLAEscalateArgs jobs.
type escalateWorker struct {
	river.WorkerDefaults[SLAEscalateArgs]
	e *engine
}

// escalation names one level of one breach.
type escalation struct {
	breachID int64
	target   sla.Target
	start    time.Time
	due      time.Time
	level    int
}

// Work escalates if the breached target is still unmet.
func (w *escalateWorker) Work(ctx context.Context, job *river.Job[SLAEscalateArgs]) error {
	err := w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		var convID int64
		var policyID *int64
		if err := tx.QueryRow(ctx, `SELECT conversation_id, policy_id FROM sla_breaches WHERE id = $1`,
			job.Args.BreachID).Scan(&convID, &policyID); err != nil {
			return fmt.Errorf("workflow: escalate breach %d: %w", job.Args.BreachID, err)
		}
		cc, err := w.e.refresh(ctx, tx, convID) // records a reply that met the target meanwhile
		if err != nil {
			return err
		}
		esc := escalation{breachID: job.Args.BreachID, level: job.Args.Level}
		var met *time.Time
		var level int
		if err := tx.QueryRow(ctx, `SELECT target, started_at, due_at, met_at, level FROM sla_breaches WHERE id = $1`,
			esc.breachID).Scan(&esc.target, &esc.start, &esc.due, &met, &level); err != nil {
			return fmt.Errorf("workflow: escalate breach %d: %w", esc.breachID, err)
		}
		c := cc.clocks[esc.target]
		if met != nil || level >= esc.level || policyID == nil || c == nil || !c.start.Equal(esc.start) ||
			c.state == sla.Met || c.state == sla.Stopped {
			return nil
		}
		p, err := scanPolicy(tx.QueryRow(ctx, `SELECT `+policyCols+` FROM sla_policies p WHERE p.id = $1`, *policyID))
		if errors.Is(err, pgx.ErrNoRows) || err == nil && esc.level > len(p.Levels) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("workflow: escalate breach %d: %w", esc.breachID, err)
		}
		data := map[string]any{"breach_id": esc.breachID, "target": esc.target, "due_at": esc.due, "level": esc.level}
		jobs, err := w.e.applyLevel(ctx, tx, cc, p, esc, data)
		if err != nil {
			return err
		}
		if err := w.e.insert(ctx, tx, jobs); err != nil {
			return err
		}
		if err := w.e.store.AddAuditTx(ctx, tx, cc.id, inbox.Actor{}, EventSLAEscalated, data); err != nil {
			return err
		}
		return w.e.publish(ctx, tx, cc, EventSLAEscalated, data, w.e.now())
	})
	if errors.Is(err, errNoConversation) {
		return river.JobCancel(err)
	}
	return err
}

// applyLevel does what level esc.level of p asks (raise the priority, reassign), notes it in
// data, records the level reached (a breach is recorded at level 1) and returns the alert job
// to insert when the level notifies, on tx.
func (e *engine) applyLevel(ctx context.Context, tx pgx.Tx, cc *convClocks, p Policy, esc escalation, data map[string]any) ([]river.InsertManyParams, error) {
	l := p.Levels[esc.level-1]
	system := inbox.Actor{}
	if l.RaisePriority {
		if up := nextPriority(cc.priority); up != cc.priority {
			if err := e.store.SetPriorityTx(ctx, tx, cc.id, up, system); err != nil {
				return nil, err
			}
			data["priority"], cc.priority = up, up
		}
	}
	if l.Reassign {
		if err := e.reassign(ctx, tx, cc, p, data); err != nil {
			return nil, err
		}
	}
	if esc.level > 1 {
		if _, err := tx.Exec(ctx, `WITH b AS (UPDATE sla_breaches SET level = greatest(level, $3) WHERE id = $4)
			UPDATE sla_clocks SET level = greatest(level, $3) WHERE conversation_id = $1 AND target = $2`,
			cc.id, esc.target, esc.level, esc.breachID); err != nil {
			return nil, fmt.Errorf("workflow: escalate: %w", err)
		}
	}
	if !l.Notify {
		return nil, nil
	}
	kind := EventSLAEscalated
	if esc.level == 1 {
		kind = EventSLABreach
	}
	data["alerted"] = true
	return []river.InsertManyParams{{Args: SLAAlertArgs{Event: kind, ConversationID: cc.id, Target: esc.target,
		Level: esc.level, Due: esc.due, BreachID: esc.breachID}}}, nil
}

// reassign hands the conversation to the policy's escalation team (its least-loaded available
// member, or nobody so that the team's queue takes it) or, without one, to the least-loaded
// available supervisor (an admin when no supervisor is available).
func (e *engine) reassign(ctx context.Context, tx pgx.Tx, cc *convClocks, p Policy, data map[string]any) error {
	system := inbox.Actor{}
	var team int64 // 0: a supervisor
	if p.EscalateTeamID != nil {
		team = *p.EscalateTeamID
		if err := e.store.SetTeamTx(ctx, tx, cc.id, team, system); err != nil {
			return err
		}
		cc.teamID, data["escalated_to_team"] = team, team
	}
	agentID, err := e.store.EscalationAgentTx(ctx, tx, team, cc.assigneeID)
	if err != nil {
		return fmt.Errorf("workflow: escalate: pick agent: %w", err)
	}
	if agentID == 0 && p.EscalateTeamID == nil {
		return nil // no supervisor available: the alert is all there is
	}
	if err := e.store.AssignTx(ctx, tx, cc.id, agentID, system); err != nil {
		return err
	}
	cc.assigneeID, data["escalated_to_agent"] = agentID, agentID
	return nil
}
