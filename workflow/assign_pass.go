package workflow

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Assignment is one conversation given to one agent by the assigner.
type Assignment struct {
	ConversationID int64
	AgentID        int64
}

// waiting is a conversation in a team's queue.
type waiting struct {
	ConversationID int64
	TeamID         int64
}

// candidate is an available agent the assigner may give conversations to.
type candidate struct {
	id       int64
	capacity int
	load     int     // the agent's conversations in new, open or pending
	seq      int64   // when they were last assigned one, in agent_assign_seq order (0: never)
	teams    []int64 // which of the teams being assigned they belong to
}

// pick returns the index of the agent of team who gets the next conversation, or -1 when no
// member is under capacity: the least loaded member, and among equals the one assigned least
// recently (round-robin), then the lowest id.
func pick(cands []candidate, team int64) int {
	best := -1
	for i, c := range cands {
		if c.load >= c.capacity || !slices.Contains(c.teams, team) {
			continue
		}
		if best < 0 || c.load < cands[best].load ||
			(c.load == cands[best].load && (c.seq < cands[best].seq || (c.seq == cands[best].seq && c.id < cands[best].id))) {
			best = i
		}
	}
	return best
}

// assignWaiting gives the waiting conversations of teams (routed, unassigned, new, open or
// pending), oldest first, to their teams' available agents under capacity, in one transaction, until
// the queue or the capacity runs out.
//
// It is safe to run any number of times at once: it first locks the rows of every candidate
// agent in id order (FOR NO KEY UPDATE, which agents' own assignments through a foreign key
// do not wait for), so two passes that share an agent run one after the other and each counts
// the other's assignments, and a consistent order leaves no deadlock between passes over
// overlapping teams. Only then does it lock the conversations it takes.
func assignWaiting(ctx context.Context, store *inbox.Store, teams []int64) ([]Assignment, error) {
	var done []Assignment
	err := store.InTx(ctx, func(tx pgx.Tx) error {
		done = nil
		var queued bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE team_id = ANY($1)
			AND assignee_id IS NULL AND status IN ('new', 'open', 'pending') AND routed_at IS NOT NULL)`, teams).Scan(&queued); err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		if !queued {
			return nil
		}
		cands, free, err := lockCandidates(ctx, tx, teams)
		if err != nil || free == 0 {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, team_id FROM conversations WHERE team_id = ANY($1)
			AND assignee_id IS NULL AND status IN ('new', 'open', 'pending') AND routed_at IS NOT NULL
			ORDER BY created_at, id LIMIT $2 FOR UPDATE`, teams, free)
		if err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		queue, err := pgx.CollectRows(rows, pgx.RowToStructByPos[waiting])
		if err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		for _, q := range queue {
			i := pick(cands, q.TeamID)
			if i < 0 {
				continue
			}
			if err := store.AssignTx(ctx, tx, q.ConversationID, cands[i].id, inbox.Actor{}); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `UPDATE agents SET assign_seq = nextval('agent_assign_seq'), last_assigned_at = $2
				WHERE id = $1 RETURNING assign_seq`, cands[i].id, store.Now()).Scan(&cands[i].seq); err != nil {
				return fmt.Errorf("mark agent: %w", err)
			}
			cands[i].load++
			done = append(done, Assignment{ConversationID: q.ConversationID, AgentID: cands[i].id})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: assign teams %v: %w", teams, err)
	}
	return done, nil
}

// lockCandidates locks the available agents of teams who may take conversations, in id order,
// and reads their load; free is how many conversations they can take in all.
func lockCandidates(ctx context.Context, tx pgx.Tx, teams []int64) ([]candidate, int, error) {
	rows, err := tx.Query(ctx, `SELECT a.id FROM agents a
		WHERE a.availability = 'available' AND a.capacity > 0
		  AND EXISTS (SELECT 1 FROM team_members m WHERE m.agent_id = a.id AND m.team_id = ANY($1))
		ORDER BY a.id FOR NO KEY UPDATE`, teams)
	if err != nil {
		return nil, 0, fmt.Errorf("lock agents: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	rows, err = tx.Query(ctx, `SELECT a.id, a.capacity, a.assign_seq,
			(SELECT count(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status IN ('new', 'open', 'pending')),
			ARRAY(SELECT m.team_id FROM team_members m WHERE m.agent_id = a.id AND m.team_id = ANY($2) ORDER BY m.team_id)
		FROM agents a WHERE a.id = ANY($1) ORDER BY a.id`, ids, teams)
	if err != nil {
		return nil, 0, fmt.Errorf("agent load: %w", err)
	}
	var cands []candidate
	free := 0
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.capacity, &c.seq, &c.load, &c.teams); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("agent load: %w", err)
		}
		free += max(c.capacity-c.load, 0)
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("agent load: %w", err)
	}
	return cands, free, nil
}
