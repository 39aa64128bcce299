package inbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// AgentLoad is an available agent with capacity who may take conversations from the queues of
// some teams, as LockTeamQueuesTx found them.
type AgentLoad struct {
	ID       int64
	Capacity int
	// Load counts the agent's conversations in new, open or pending.
	Load int
	// Turn orders the agents for round-robin: the agent_assign_seq value of their latest
	// automatic assignment (0: never), as AutoAssignTx sets it.
	Turn int64
	// Teams lists which of the teams asked about the agent belongs to, in id order.
	Teams []int64
}

// WaitingConversation is a conversation in its team's queue: routed, unassigned and new, open
// or pending.
type WaitingConversation struct {
	ID     int64
	TeamID int64
}

// TeamQueues is what one assignment pass over some teams holds locked: the teams' agents who
// may take conversations and the oldest conversations waiting for them.
type TeamQueues struct {
	// Agents are in id order.
	Agents []AgentLoad
	// Waiting are oldest first, at most as many as the agents have room for in all.
	Waiting []WaitingConversation
}

// LockTeamQueuesTx locks, in tx, what an assignment pass over teams may change, and returns it;
// it is empty when no conversation waits or no agent has room.
//
// It is safe for any number of passes at once: it first locks the rows of every available agent
// of the teams with capacity, in id order (FOR NO KEY UPDATE, which agents' own assignments
// through a foreign key do not wait for), so two passes that share an agent run one after the
// other and each reads the other's assignments in the loads, and a consistent order leaves no deadlock
// between passes over overlapping teams. Only then does it lock the conversations it returns,
// in id order (agents before conversations, as the package doc's lock order wants).
// An empty queue costs one indexed query and locks nothing.
//
// A pass of one team records, once it holds the agents, the snapshot with which it reads the
// queue (migration 282). after, when not 0, is the transaction id of the change that asked for
// this pass (a triage's, AfterTx): when the team's latest pass read its queue with that
// transaction already committed, it served every conversation the change put there, and this
// pass returns empty before counting the agents' loads.
func (s *Store) LockTeamQueuesTx(ctx context.Context, tx pgx.Tx, teams []int64, after uint64) (TeamQueues, error) {
	var q TeamQueues
	var queued bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE team_id = ANY($1)
		AND assignee_id IS NULL AND status IN ('new', 'open', 'pending') AND routed_at IS NOT NULL)`, teams).Scan(&queued); err != nil {
		return q, fmt.Errorf("inbox: team queues: %w", err)
	}
	if !queued {
		return q, nil
	}
	agents, free, err := lockAgentLoads(ctx, tx, teams, after)
	if err != nil || free == 0 {
		return q, err
	}
	// The oldest waiting, locked in id order as the lock order wants (see the package doc); the
	// outer conditions repeat the inner ones, so a row changed while we waited for its lock is
	// checked again and skipped when it no longer waits. Handed out oldest first.
	rows, err := tx.Query(ctx, `SELECT id, team_id, created_at FROM conversations
		WHERE id IN (SELECT id FROM conversations WHERE team_id = ANY($1)
			AND assignee_id IS NULL AND status IN ('new', 'open', 'pending') AND routed_at IS NOT NULL
			ORDER BY created_at, id LIMIT $2)
		AND team_id = ANY($1) AND assignee_id IS NULL AND status IN ('new', 'open', 'pending')
		ORDER BY id FOR NO KEY UPDATE`, teams, free)
	if err != nil {
		return q, fmt.Errorf("inbox: team queues: %w", err)
	}
	type oldest struct {
		WaitingConversation
		since time.Time
	}
	var waiting []oldest
	var w oldest
	if _, err := pgx.ForEachRow(rows, []any{&w.ID, &w.TeamID, &w.since}, func() error {
		waiting = append(waiting, w)
		return nil
	}); err != nil {
		return q, fmt.Errorf("inbox: team queues: %w", err)
	}
	slices.SortFunc(waiting, func(a, b oldest) int {
		return cmp.Or(a.since.Compare(b.since), cmp.Compare(a.ID, b.ID))
	})
	for _, w := range waiting {
		q.Waiting = append(q.Waiting, w.WaitingConversation)
	}
	q.Agents = agents
	return q, nil
}

// lockAgentLoads locks the available agents of teams who may take conversations, in id order,
// and reads their load; free is how many conversations they can take in all. For a pass of one
// team it first records its read, or finds that the pass asked for after was served (see
// LockTeamQueuesTx), and then returns no agent.
func lockAgentLoads(ctx context.Context, tx pgx.Tx, teams []int64, after uint64) ([]AgentLoad, int, error) {
	rows, err := tx.Query(ctx, `SELECT a.id FROM agents a
		WHERE a.availability = 'available' AND a.capacity > 0 AND a.deactivated_at IS NULL
		  AND EXISTS (SELECT 1 FROM team_members m WHERE m.agent_id = a.id AND m.team_id = ANY($1))
		ORDER BY a.id FOR NO KEY UPDATE`, teams)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: lock agents: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		if err != nil {
			err = fmt.Errorf("inbox: lock agents: %w", err)
		}
		return nil, 0, err
	}
	if len(teams) == 1 {
		served, err := recordQueueRead(ctx, tx, teams[0], after)
		if err != nil || served {
			return nil, 0, err
		}
	}
	// Their loads: open_load with the news of their conversations' changes folded in (migration
	// 283), which this pass may do because it holds the agents' locks. The statement's SELECT sees
	// the agents as they were before its UPDATE, hence the fold's own value first.
	rows, err = tx.Query(ctx, `WITH `+foldLoadsSQL("agent_id = ANY($1)")+`
		SELECT a.id, a.capacity, a.assign_seq, coalesce(u.open_load, a.open_load),
			ARRAY(SELECT m.team_id FROM team_members m WHERE m.agent_id = a.id AND m.team_id = ANY($2) ORDER BY m.team_id)
		FROM agents a LEFT JOIN u ON u.id = a.id WHERE a.id = ANY($1) ORDER BY a.id`, ids, teams)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: agent load: %w", err)
	}
	var agents []AgentLoad
	free := 0
	for rows.Next() {
		var a AgentLoad
		if err := rows.Scan(&a.ID, &a.Capacity, &a.Turn, &a.Load, &a.Teams); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("inbox: agent load: %w", err)
		}
		free += max(a.Capacity-a.Load, 0)
		agents = append(agents, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("inbox: agent load: %w", err)
	}
	return agents, free, nil
}

// recordQueueRead reports whether the latest pass of team read its queue with the transaction
// after committed (after 0: never); if not, it records the snapshot of this pass, whose later
// statements, the queue's read among them, see at least what it saw. A pass that locks the
// same agents waited for the pass before it to end, so it reads that one's record; a record
// only ever comes from a pass that committed, and an older one (a pass that shares no agent
// with one still running, or that overwrote a newer snapshot with its own) only makes later
// passes skip less.
func recordQueueRead(ctx context.Context, tx pgx.Tx, team int64, after uint64) (bool, error) {
	var served bool
	err := tx.QueryRow(ctx, `WITH seen AS (
			SELECT $2::bigint <> 0 AND pg_visible_in_snapshot($2::bigint::text::xid8, snap) AS served
			FROM assign_queue_reads WHERE team_id = $1),
		rec AS (INSERT INTO assign_queue_reads (team_id, snap)
			SELECT $1, pg_current_snapshot() WHERE NOT coalesce((SELECT served FROM seen), false)
			ON CONFLICT (team_id) DO UPDATE SET snap = EXCLUDED.snap)
		SELECT coalesce((SELECT served FROM seen), false)`, team, int64(after)).Scan(&served)
	if err != nil {
		return false, fmt.Errorf("inbox: team %d queue read: %w", team, err)
	}
	return served, nil
}

// AfterTx returns the id of tx's transaction, for a job it enqueues that LockTeamQueuesTx may
// find served (its after).
func AfterTx(ctx context.Context, tx pgx.Tx) (uint64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `SELECT pg_current_xact_id()::text::bigint`).Scan(&id); err != nil {
		return 0, fmt.Errorf("inbox: transaction id: %w", err)
	}
	return uint64(id), nil
}

// EscalationAgentTx picks, in tx, who an escalation hands a conversation to: the least-loaded
// available member of team or, when team is 0, the least-loaded available supervisor or admin
// (a supervisor before an admin of equal load: open_load and its news not yet folded, migration
// 283); the lowest id among equals, and the current
// assignee only when nobody else is available. It returns 0 when nobody is available.
func (s *Store) EscalationAgentTx(ctx context.Context, tx pgx.Tx, team, currentAssignee int64) (int64, error) {
	var agentID int64
	err := tx.QueryRow(ctx, `SELECT a.id FROM agents a WHERE a.availability = 'available' AND a.deactivated_at IS NULL
			AND ($2::bigint = 0 AND a.role IN ('supervisor', 'admin')
				OR a.id IN (SELECT agent_id FROM team_members WHERE team_id = $2))
		ORDER BY a.id = $1, a.open_load + coalesce((SELECT sum(n.delta) FROM agent_load_news n WHERE n.agent_id = a.id), 0),
			a.role = 'admin', a.id LIMIT 1`, currentAssignee, team).Scan(&agentID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("inbox: escalation agent: %w", err)
	}
	return agentID, nil
}
