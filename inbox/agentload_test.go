package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// loads returns each agent's load as migration 283 keeps it (open_load and the news not yet
// folded) and as counted from their conversations.
func loads(t *testing.T, e *env, agents ...int64) (kept, counted map[int64]int) {
	t.Helper()
	kept, counted = map[int64]int{}, map[int64]int{}
	rows, err := e.pool.Query(context.Background(), `SELECT a.id,
			a.open_load + coalesce((SELECT sum(delta) FROM agent_load_news n WHERE n.agent_id = a.id), 0),
			(SELECT count(*) FROM conversations c WHERE c.assignee_id = a.id AND c.status IN ('new', 'open', 'pending'))
		FROM agents a WHERE a.id = ANY($1)`, agents)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	var k, c int
	if _, err := pgx.ForEachRow(rows, []any{&id, &k, &c}, func() error {
		kept[id], counted[id] = k, c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return kept, counted
}

// TestAnAgentsLoadFollowsEveryChangeOfTheirConversations attacks the load an assignment pass
// reads (migration 283) with every kind of change that moves one: an assignment, a
// reassignment, a resolution, a customer's reply that reopens, a snooze and its wake, a
// status that still counts, an unassignment, a conversation moved to another contact by a
// merge, one inserted assigned and one deleted. After each, the load kept must be the count; then a pass folds the
// news and reads the count.
func TestAnAgentsLoadFollowsEveryChangeOfTheirConversations(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a1 := addAgent(t, e, "a1", inbox.RoleAgent, 50, "available")
	a2 := addAgent(t, e, "a2", inbox.RoleAgent, 50, "available")
	team := addTeam(t, e, "Support", "a1", "a2")
	by := inbox.Actor{AgentID: a1}

	var convs []int64
	var extra int64 // the conversation inserted assigned, then deleted
	for i := range 6 {
		convs = append(convs, customer(t, e, i))
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"assign four to a1", func() error {
			for _, c := range convs[:4] {
				if _, err := e.store.Assign(ctx, c, a1, by); err != nil {
					return err
				}
			}
			return nil
		}},
		{"reassign one to a2", func() error { _, err := e.store.Assign(ctx, convs[1], a2, by); return err }},
		{"resolve one", func() error { _, err := e.store.SetStatus(ctx, convs[2], inbox.StatusResolved, by); return err }},
		{"the customer replies and reopens it", func() error {
			e.now = e.now.Add(time.Minute)
			r := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM-again",
				From: phoneFrom(fmt.Sprintf("+1555010%04d", 2)), Text: "still broken"})
			if r.ConversationID != convs[2] {
				return fmt.Errorf("the reply went to %d, not %d", r.ConversationID, convs[2])
			}
			return nil
		}},
		{"pending still counts", func() error { _, err := e.store.SetStatus(ctx, convs[0], inbox.StatusPending, by); return err }},
		{"snooze one", func() error { _, err := e.store.Snooze(ctx, convs[3], e.now.Add(time.Hour), by); return err }},
		{"wake it", func() error { _, err := e.store.SetStatus(ctx, convs[3], inbox.StatusOpen, by); return err }},
		{"unassign one", func() error { _, err := e.store.Assign(ctx, convs[0], 0, by); return err }},
		{"merge its customer into another's", func() error {
			var keep, other int64
			if err := e.pool.QueryRow(ctx, `SELECT (SELECT contact_id FROM conversations WHERE id = $1),
				(SELECT contact_id FROM conversations WHERE id = $2)`, convs[4], convs[3]).Scan(&keep, &other); err != nil {
				return err
			}
			_, err := e.store.Merge(ctx, keep, other, by)
			return err
		}},
		// The product inserts a conversation already assigned when an agent starts one, and
		// deletes none; both are written here in SQL, as any other writer would.
		{"a conversation inserted assigned", func() error {
			return e.pool.QueryRow(ctx, `INSERT INTO conversations (contact_id, channel, assignee_id, status, created_at, last_activity_at)
				SELECT contact_id, channel, $2, 'open', created_at, last_activity_at FROM conversations WHERE id = $1
				RETURNING id`, convs[5], a2).Scan(&extra)
		}},
		{"deleted", func() error {
			_, err := e.pool.Exec(ctx, `DELETE FROM conversations WHERE id = $1`, extra)
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		kept, counted := loads(t, e, a1, a2)
		for _, a := range []int64{a1, a2} {
			if kept[a] != counted[a] {
				t.Errorf("after %q: agent %d's load kept %d, counted %d", s.name, a, kept[a], counted[a])
			}
		}
	}

	// A pass folds the news into open_load and reads the count.
	queued(t, e, convs[5], team)
	_, counted := loads(t, e, a1, a2)
	if counted[a1] != 2 || counted[a2] != 1 {
		t.Fatalf("the steps left a1 %d and a2 %d conversations, want 2 and 1", counted[a1], counted[a2])
	}
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		q, err := e.store.LockTeamQueuesTx(ctx, tx, []int64{team}, 0)
		if err != nil {
			return err
		}
		for _, a := range q.Agents {
			if a.Load != counted[a.ID] {
				t.Errorf("the pass read agent %d's load as %d, want %d", a.ID, a.Load, counted[a.ID])
			}
		}
		if len(q.Agents) != 2 {
			t.Errorf("the pass locked %d agents, want 2", len(q.Agents))
		}
		return nil
	})
	var news, folded int
	if err := e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM agent_load_news WHERE agent_id IN ($1, $2)),
		(SELECT open_load FROM agents WHERE id = $1)`, a1, a2).Scan(&news, &folded); err != nil {
		t.Fatal(err)
	}
	if news != 0 || folded != counted[a1] {
		t.Errorf("after the pass: %d news left, a1's open_load %d; want 0 and %d", news, folded, counted[a1])
	}
}

// TestFoldAgentLoadsFoldsTheAgentsNoPassReads: the fold job moves the news of agents that no
// pass locks (away, here) into their loads, skips an agent whose row another transaction holds
// until it is free, and walks more agents than one batch.
func TestFoldAgentLoadsFoldsTheAgentsNoPassReads(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	away := addAgent(t, e, "away", inbox.RoleAgent, 5, "away")
	held := addAgent(t, e, "held", inbox.RoleAgent, 5, "available")
	for i, a := range []int64{away, away, held} {
		if _, err := e.store.Assign(ctx, customer(t, e, i), a, inbox.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	news := func(agent int64) int {
		t.Helper()
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM agent_load_news WHERE agent_id = $1`, agent).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	check := func(when string) {
		t.Helper()
		kept, counted := loads(t, e, away, held)
		if kept[away] != 2 || counted[away] != 2 || kept[held] != 1 || counted[held] != 1 {
			t.Errorf("%s: loads kept %v, counted %v; want away 2, held 1", when, kept, counted)
		}
	}

	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM agents WHERE id = $1 FOR NO KEY UPDATE`, held); err != nil {
		t.Fatal(err)
	}
	n, err := e.store.FoldAgentLoads(ctx)
	if err != nil || n != 1 {
		t.Fatalf("fold with one agent held: %d, %v; want 1 agent folded", n, err)
	}
	if news(away) != 0 || news(held) != 1 {
		t.Errorf("news left: away %d, held %d; want 0 and 1", news(away), news(held))
	}
	check("with one agent held")
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := e.store.FoldAgentLoads(ctx); err != nil || n != 1 || news(held) != 0 {
		t.Fatalf("fold once free: %d, %v, %d news left; want 1 agent folded, none left", n, err, news(held))
	}
	check("once free")

	// More agents than a batch, each with one row of news.
	if _, err := e.pool.Exec(ctx, `WITH a AS (INSERT INTO agents (email, name, role, capacity)
			SELECT 'p' || i || '@example.com', 'p' || i, 'agent', 5 FROM generate_series(1, 250) i RETURNING id)
		INSERT INTO agent_load_news (agent_id, delta) SELECT id, 1 FROM a`); err != nil {
		t.Fatal(err)
	}
	if n, err := e.store.FoldAgentLoads(ctx); err != nil || n != 250 {
		t.Fatalf("fold of 250 agents: %d, %v", n, err)
	}
	var left, wrong int
	if err := e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM agent_load_news),
		(SELECT count(*) FROM agents WHERE name LIKE 'p%' AND open_load <> 1)`).Scan(&left, &wrong); err != nil {
		t.Fatal(err)
	}
	if left != 0 || wrong != 0 {
		t.Errorf("after the fold of 250: %d news left, %d agents without their one", left, wrong)
	}
}
