package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// loadClockState takes the conversation's clock lock (lockClocks) and reads, in two round
// trips, what a refresh needs: first the conversation's timeline (from the inbox), its stored
// clocks and its pauses; then its policy (for the team and priority just read) and its replies
// (from the inbox, with the first reply since the stored next-response cycle began). A missing
// conversation is an error wrapping errNoConversation.
func (e *engine) loadClockState(ctx context.Context, tx pgx.Tx, convID int64) (*convClocks, convFacts, []statusPause, error) {
	cc := &convClocks{id: convID, clocks: map[Target]*clockRow{}}
	var f convFacts
	var tl inbox.Timeline
	var stored []statusPause
	b := &pgx.Batch{}
	b.Queue(lockClocksSQL, convID)
	e.store.QueueTimeline(b, convID, &tl)
	b.Queue(`SELECT target, policy_id, state, generation, started_at, due_at, warn_at, met_at, warned_at, breached_at, level
		FROM sla_clocks WHERE conversation_id = $1`, convID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			r := &clockRow{}
			if err := rows.Scan(&r.target, &r.policyID, &r.state, &r.generation, &r.start, &r.due, &r.warn, &r.met,
				&r.warned, &r.breached, &r.level); err != nil {
				return fmt.Errorf("workflow: sla clocks of %d: %w", convID, err)
			}
			cc.clocks[r.target] = r
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("workflow: sla clocks of %d: %w", convID, err)
		}
		return nil
	})
	b.Queue(`SELECT started_at, reason, ended_at FROM sla_pauses WHERE conversation_id = $1 ORDER BY started_at`,
		convID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var p statusPause
			var end *time.Time
			if err := rows.Scan(&p.Start, &p.reason, &end); err != nil {
				return fmt.Errorf("workflow: sla pauses of %d: %w", convID, err)
			}
			p.End = deref(end)
			stored = append(stored, p)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("workflow: sla pauses of %d: %w", convID, err)
		}
		return nil
	})
	err := tx.SendBatch(ctx, b).Close()
	if errors.Is(err, inbox.ErrNotFound) {
		return nil, f, nil, fmt.Errorf("workflow: conversation %d: %w", convID, errNoConversation)
	}
	if err != nil {
		return nil, f, nil, fmt.Errorf("workflow: sla load %d: %w", convID, err)
	}
	cc.status, cc.priority, cc.teamID, cc.assigneeID, cc.contactID = tl.Status, tl.Priority, tl.TeamID, tl.AssigneeID, tl.ContactID
	f.status, f.createdAt = tl.Status, tl.CreatedAt
	f.firstResponseAt, f.resolvedAt, f.closedAt = deref(tl.FirstResponseAt), deref(tl.ResolvedAt), deref(tl.ClosedAt)
	history := make([]statusChange, len(tl.StatusChanges))
	for i, c := range tl.StatusChanges {
		history[i] = statusChange{to: c.To, at: c.At}
	}
	f.pauses = pausesFrom(history)

	var cycleStart *time.Time
	if r := cc.clocks[TargetNextResponse]; r != nil {
		cycleStart = &r.start
	}
	var replies inbox.Replies
	b = &pgx.Batch{}
	b.Queue(policyForSQL, cc.teamID, cc.priority).QueryRow(func(row pgx.Row) error {
		p, err := scanPolicy(row)
		switch {
		case err == nil:
			cc.policy = &p
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("workflow: sla policy of %d: %w", convID, err)
		}
		return nil
	})
	e.store.QueueReplies(b, convID, cycleStart, &replies)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, f, nil, fmt.Errorf("workflow: sla load %d: %w", convID, err)
	}
	f.lastReplyAt, f.waitingSince, f.cycleReplyAt = deref(replies.LastReplyAt), deref(replies.WaitingSince),
		deref(replies.FirstReplySince)
	if cycleStart != nil {
		f.cycleStart = *cycleStart
	}
	return cc, f, stored, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// nextPriority is one step more urgent than p; urgent stays urgent.
func nextPriority(p inbox.Priority) inbox.Priority {
	switch p {
	case inbox.PriorityLow:
		return inbox.PriorityNormal
	case inbox.PriorityNormal:
		return inbox.PriorityHigh
	}
	return inbox.PriorityUrgent
}
