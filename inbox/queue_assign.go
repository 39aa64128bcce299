package inbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// AutoAssignment is one conversation an assignment pass gives to an agent, and the agent's
// round-robin Turn once they have it (a value of NextTurnsTx).
type AutoAssignment struct {
	ConversationID int64
	AgentID        int64
	Turn           int64
}

// NextTurnsTx returns n new round-robin turns, ascending, for the assignments of one pass (see
// AgentLoad.Turn).
func (s *Store) NextTurnsTx(ctx context.Context, tx pgx.Tx, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval('agent_assign_seq') FROM generate_series(1, $1) ORDER BY 1`, n)
	if err != nil {
		return nil, fmt.Errorf("inbox: turns: %w", err)
	}
	turns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("inbox: turns: %w", err)
	}
	return turns, nil
}

// AutoAssignManyTx gives conversations to agents on the system's behalf, each as AutoAssignTx
// gives one (the assignment, its audit entry "assign" via "round_robin", its
// conversation.assigned event, the agent's notice, the agent's Turn), in a few statements for
// all of them. The conversations are unassigned ones LockTeamQueuesTx returned in tx, and the
// agents are among the ones it locked; a conversation assigned meanwhile is left as it is.
func (s *Store) AutoAssignManyTx(ctx context.Context, tx pgx.Tx, as []AutoAssignment) error {
	if len(as) == 0 {
		return nil
	}
	n := len(as)
	convs, agents := make([]int64, n), make([]int64, n)
	turn := map[int64]int64{}
	for i, a := range as {
		convs[i], agents[i] = a.ConversationID, a.AgentID
		turn[a.AgentID] = max(turn[a.AgentID], a.Turn)
	}
	now := s.now()
	rows, err := tx.Query(ctx, `UPDATE conversations c SET assignee_id = u.agent
		FROM unnest($1::bigint[], $2::bigint[]) AS u(id, agent)
		WHERE c.id = u.id AND c.assignee_id IS NULL
		RETURNING c.id, c.contact_id, coalesce(c.inbox_id, 0), coalesce(c.team_id, 0), c.assignee_id, c.channel, c.status, c.priority`,
		convs, agents)
	if err != nil {
		return fmt.Errorf("inbox: assign: %w", err)
	}
	var done []convState
	for rows.Next() {
		c, err := scanConvState(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("inbox: assign: %w", err)
		}
		done = append(done, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: assign: %w", err)
	}
	// Announced in the order given (oldest waiting first), as one by one would.
	order := make(map[int64]int, n)
	for i, id := range convs {
		order[id] = i
	}
	slices.SortFunc(done, func(a, b convState) int { return cmp.Compare(order[a.id], order[b.id]) })
	var trail auditRows
	events := make([]Event, 0, 2*len(done))
	notices := make([]Notice, 0, len(done))
	for _, c := range done {
		trail.add(c, "assign", map[string]any{"from": 0, "to": c.assigneeID, "via": "round_robin"})
		e := c.event(EventConversationAssigned, now)
		e.Data = map[string]any{"from": int64(0)}
		events = append(events, e)
		notices = append(notices, Notice{AgentID: c.assigneeID, Kind: NotifyAssigned, ConversationID: c.id})
	}
	if err := trail.insert(ctx, tx, now); err != nil {
		return err
	}
	noticed, err := s.notifyEvents(ctx, tx, notices)
	if err != nil {
		return err
	}
	turnAgents, turns := make([]int64, 0, len(turn)), make([]int64, 0, len(turn))
	for a, t := range turn {
		turnAgents, turns = append(turnAgents, a), append(turns, t)
	}
	if _, err := tx.Exec(ctx, `UPDATE agents a SET assign_seq = u.turn, last_assigned_at = $3
		FROM unnest($1::bigint[], $2::bigint[]) AS u(id, turn) WHERE a.id = u.id`, turnAgents, turns, now); err != nil {
		return fmt.Errorf("inbox: mark agents assigned: %w", err)
	}
	return s.Publish(ctx, tx, append(events, noticed...)...)
}
