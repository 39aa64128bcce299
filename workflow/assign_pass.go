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

// candidate is an available agent the assigner may give conversations to.
type candidate struct {
	id       int64
	capacity int
	load     int     // the agent's conversations in new, open or pending
	seq      int64   // their round-robin turn (inbox.AgentLoad.Turn): lowest goes first
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
// the queue or the capacity runs out. after is the job's AssignWaitingArgs.After (0 for a
// pass of an agent's teams).
//
// It is safe to run any number of times at once: inbox.Store.LockTeamQueuesTx locks every
// candidate agent in id order before the conversations it hands out, so two passes that share an
// agent run one after the other and each counts the other's assignments, without deadlock.
func assignWaiting(ctx context.Context, store *inbox.Store, teams []int64, after uint64) ([]Assignment, error) {
	var done []Assignment
	err := store.InTx(ctx, func(tx pgx.Tx) error {
		done = nil
		q, err := store.LockTeamQueuesTx(ctx, tx, teams, after)
		if err != nil {
			return err
		}
		if len(q.Waiting) == 0 {
			return nil
		}
		cands := make([]candidate, len(q.Agents))
		for i, a := range q.Agents {
			cands[i] = candidate{id: a.ID, capacity: a.Capacity, load: a.Load, seq: a.Turn, teams: a.Teams}
		}
		// Every assignment takes the next turn, so that the agent goes to the back of the
		// round-robin for the picks after it; the turns are drawn at once, and any left over
		// are gaps in the sequence, which only orders.
		turns, err := store.NextTurnsTx(ctx, tx, len(q.Waiting))
		if err != nil {
			return err
		}
		var as []inbox.AutoAssignment
		for _, w := range q.Waiting {
			i := pick(cands, w.TeamID)
			if i < 0 {
				continue
			}
			cands[i].seq, turns = turns[0], turns[1:]
			cands[i].load++
			as = append(as, inbox.AutoAssignment{ConversationID: w.ID, AgentID: cands[i].id, Turn: cands[i].seq})
			done = append(done, Assignment{ConversationID: w.ID, AgentID: cands[i].id})
		}
		return store.AutoAssignManyTx(ctx, tx, as)
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: assign teams %v: %w", teams, err)
	}
	return done, nil
}
