package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// clockState is what a refresh of one conversation starts from (see queueClockState).
type clockState struct {
	cc     *convClocks
	facts  sla.Facts
	stored []sla.StatusPause
}

// loadClockStates takes the clock lock (lockClocks) of each of the conversations ids, in the
// order given, and reads what their refreshes need (see queueClockState), all in one round trip.
// A missing conversation is an error wrapping errNoConversation.
func loadClockStates(ctx context.Context, tx pgx.Tx, ids []int64) ([]clockState, error) {
	b := &pgx.Batch{}
	for _, id := range ids {
		queueClockState(b, id)
	}
	br := tx.SendBatch(ctx, b)
	out := make([]clockState, 0, len(ids))
	for _, id := range ids {
		st, err := readClockState(br, id)
		if err != nil {
			_ = br.Close()
			return nil, err
		}
		out = append(out, st)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("workflow: sla load %v: %w", ids, err)
	}
	return out, nil
}

// queueClockState queues on b the conversation's clock lock and the reads of what a refresh
// needs: the conversation, its policy, its stored clocks and pauses, its status history and the
// reply facts of its messages. readClockState reads their results.
func queueClockState(b *pgx.Batch, convID int64) {
	b.Queue(lockClocksSQL, convID)
	b.Queue(`SELECT status, priority, coalesce(team_id, 0), coalesce(assignee_id, 0), contact_id, created_at,
		first_response_at, resolved_at, closed_at FROM conversations WHERE id = $1`, convID)
	b.Queue(policyOfConversationSQL, convID)
	b.Queue(`SELECT target, policy_id, state, generation, started_at, due_at, warn_at, met_at, warned_at, breached_at, level
		FROM sla_clocks WHERE conversation_id = $1`, convID)
	b.Queue(`SELECT coalesce(data->>'to', ''), created_at FROM conversation_events
		WHERE conversation_id = $1 AND kind = 'status' ORDER BY id`, convID)
	b.Queue(`SELECT started_at, reason, ended_at FROM sla_pauses WHERE conversation_id = $1 ORDER BY started_at`, convID)
	// The latest public reply of a human agent, the first customer message after it, and the
	// first such reply since the stored next-response cycle began.
	b.Queue(`WITH r AS (SELECT id, created_at FROM messages WHERE conversation_id = $1 AND direction = 'outbound'
			AND author_agent_id IS NOT NULL AND auto = '' ORDER BY id DESC LIMIT 1)
		SELECT (SELECT created_at FROM r),
			(SELECT m.created_at FROM messages m, r WHERE m.conversation_id = $1 AND m.direction = 'inbound'
				AND m.auto = '' AND m.id > r.id ORDER BY m.id LIMIT 1),
			(SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = $1 AND m.direction = 'outbound'
				AND m.author_agent_id IS NOT NULL AND m.auto = '' AND m.created_at >= (SELECT started_at FROM sla_clocks
					WHERE conversation_id = $1 AND target = 'next_response'))`, convID)
}

// readClockState reads from br the results queueClockState queued for convID.
func readClockState(br pgx.BatchResults, convID int64) (clockState, error) {
	cc := &convClocks{id: convID, clocks: map[sla.Target]*clockRow{}}
	var f sla.Facts
	if _, err := br.Exec(); err != nil {
		return clockState{}, fmt.Errorf("workflow: lock clocks of %d: %w", convID, err)
	}
	var first, resolved, closed *time.Time
	err := br.QueryRow().Scan(&cc.status, &cc.priority, &cc.teamID, &cc.assigneeID, &cc.contactID, &f.CreatedAt,
		&first, &resolved, &closed)
	if errors.Is(err, pgx.ErrNoRows) {
		return clockState{}, fmt.Errorf("workflow: conversation %d: %w", convID, errNoConversation)
	}
	if err != nil {
		return clockState{}, fmt.Errorf("workflow: sla load %d: %w", convID, err)
	}
	f.Resolved = pauseReason(cc.status) == sla.ResolvedPause
	f.FirstResponseAt, f.ResolvedAt, f.ClosedAt = deref(first), deref(resolved), deref(closed)
	p, err := scanPolicy(br.QueryRow())
	switch {
	case err == nil:
		cc.policy = &p
	case !errors.Is(err, pgx.ErrNoRows):
		return clockState{}, fmt.Errorf("workflow: sla policy of %d: %w", convID, err)
	}
	rows, err := br.Query()
	if err != nil {
		return clockState{}, fmt.Errorf("workflow: sla clocks of %d: %w", convID, err)
	}
	for rows.Next() {
		r := &clockRow{}
		if err := rows.Scan(&r.target, &r.policyID, &r.state, &r.generation, &r.start, &r.due, &r.warn, &r.met,
			&r.warned, &r.breached, &r.level); err != nil {
			rows.Close()
			return clockState{}, fmt.Errorf("workflow: sla clocks of %d: %w", convID, err)
		}
		cc.clocks[r.target] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return clockState{}, fmt.Errorf("workflow: sla clocks of %d: %w", convID, err)
	}
	history, err := collect(br, func(r pgx.Rows) (sla.StatusChange, error) {
		var to inbox.Status
		var at time.Time
		err := r.Scan(&to, &at)
		return sla.StatusChange{Reason: pauseReason(to), At: at}, err
	})
	if err != nil {
		return clockState{}, fmt.Errorf("workflow: status history of %d: %w", convID, err)
	}
	f.Pauses = sla.PausesFrom(history)
	stored, err := collect(br, func(r pgx.Rows) (sla.StatusPause, error) {
		var p sla.StatusPause
		var end *time.Time
		err := r.Scan(&p.Start, &p.Reason, &end)
		p.End = deref(end)
		return p, err
	})
	if err != nil {
		return clockState{}, fmt.Errorf("workflow: sla pauses of %d: %w", convID, err)
	}
	var last, waiting, cycleReply *time.Time
	if err := br.QueryRow().Scan(&last, &waiting, &cycleReply); err != nil {
		return clockState{}, fmt.Errorf("workflow: reply facts of %d: %w", convID, err)
	}
	f.LastReplyAt, f.WaitingSince, f.CycleReplyAt = deref(last), deref(waiting), deref(cycleReply)
	if r := cc.clocks[sla.NextResponse]; r != nil {
		f.CycleStart = r.start
	}
	return clockState{cc: cc, facts: f, stored: stored}, nil
}

// collect reads the next result of a batch as rows of T.
func collect[T any](br pgx.BatchResults, scan func(pgx.Rows) (T, error)) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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

// policyOfConversationSQL picks the most specific SLA policy of conversation $1 (tier, then
// team, then priority), joined in SQL so that the refresh reads everything in one round trip (a
// read-only use of the inbox's conversations, contacts and companies). The customer's tier is
// the contact's own, else their company's.
const policyOfConversationSQL = `SELECT ` + policyCols + ` FROM conversations c
	JOIN contacts k ON k.id = c.contact_id
	LEFT JOIN companies co ON co.id = k.company_id
	JOIN sla_policies p ON (p.team_id IS NULL OR p.team_id = c.team_id) AND (p.priority IS NULL OR p.priority = c.priority)
		AND (p.tier IS NULL OR p.tier = lower(coalesce(nullif(k.tier, ''), co.tier)))
	WHERE c.id = $1
	ORDER BY p.tier IS NULL, p.team_id IS NULL, p.priority IS NULL LIMIT 1`
