package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/inbox"
)

// addAgent inserts an agent directly (hashing a password costs a second under the race
// detector, and nothing here signs in).
func addAgent(t *testing.T, e *env, name string, role inbox.Role, capacity int, availability string) int64 {
	t.Helper()
	var id int64
	if err := e.pool.QueryRow(context.Background(), `INSERT INTO agents (email, name, role, capacity, availability)
		VALUES ($1 || '@example.com', $1, $2, $3, $4) RETURNING id`, name, role, capacity, availability).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// addTeam makes a team of the agents named.
func addTeam(t *testing.T, e *env, name string, members ...string) int64 {
	t.Helper()
	var emails []string
	for _, m := range members {
		emails = append(emails, m+"@example.com")
	}
	tm, err := e.store.CreateTeam(context.Background(), name, emails)
	if err != nil {
		t.Fatal(err)
	}
	return tm.ID
}

// customer starts a conversation of a new customer, a minute after the previous one.
func customer(t *testing.T, e *env, n int) int64 {
	t.Helper()
	e.now = e.now.Add(time.Minute)
	return e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: fmt.Sprint("SM", n),
		From: phoneFrom(fmt.Sprintf("+1555010%04d", n)), Text: "help"}).ConversationID
}

// inTx runs fn in one committed transaction of e's store.
func inTx(t *testing.T, e *env, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// queued files a conversation in team's queue: its team set and routed.
func queued(t *testing.T, e *env, conv, team int64) {
	t.Helper()
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		if err := e.store.SetTeamTx(ctx, tx, conv, team, inbox.Actor{}); err != nil {
			return err
		}
		_, err := e.store.MarkRoutedTx(ctx, tx, conv)
		return err
	})
}

// lockedNow reports whether another transaction holds a lock on the row that sql (a SELECT ...
// FOR ... NOWAIT of one row) asks for.
func lockedNow(t *testing.T, e *env, sql string, id int64) bool {
	t.Helper()
	_, err := e.pool.Exec(context.Background(), sql, id)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "55P03" {
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

const (
	agentWriteLock = `SELECT 1 FROM agents WHERE id = $1 FOR NO KEY UPDATE NOWAIT`
	agentKeyShare  = `SELECT 1 FROM agents WHERE id = $1 FOR KEY SHARE NOWAIT`
	convWriteLock  = `SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE NOWAIT`
)

func TestLockTeamQueuesTxReturnsTheAgentsWithRoomAndTheOldestWaiting(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a1 := addAgent(t, e, "a1", inbox.RoleAgent, 2, "available")
	a2 := addAgent(t, e, "a2", inbox.RoleAgent, 2, "available")
	a3 := addAgent(t, e, "a3", inbox.RoleAgent, 2, "available")
	addAgent(t, e, "away", inbox.RoleAgent, 2, "away")
	addAgent(t, e, "full", inbox.RoleAgent, 0, "available")
	support := addTeam(t, e, "Support", "a1", "a2", "a3", "away", "full")
	billing := addTeam(t, e, "Billing", "a2")
	other := addTeam(t, e, "Other")

	held := customer(t, e, 1) // a1's: load 1
	if _, err := e.store.Assign(context.Background(), held, a1, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	var waiting []int64
	for i := range 6 {
		c := customer(t, e, 10+i)
		queued(t, e, c, support)
		waiting = append(waiting, c)
	}
	queued(t, e, customer(t, e, 20), other)
	customer(t, e, 21) // not routed: no queue

	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		q, err := e.store.LockTeamQueuesTx(ctx, tx, []int64{support, billing}, 0)
		if err != nil {
			return err
		}
		want := []inbox.AgentLoad{{ID: a1, Capacity: 2, Load: 1, Teams: []int64{support}},
			{ID: a2, Capacity: 2, Teams: []int64{support, billing}}, {ID: a3, Capacity: 2, Teams: []int64{support}}}
		if !reflect.DeepEqual(q.Agents, want) {
			t.Errorf("agents = %+v, want %+v", q.Agents, want)
		}
		// Room for 1 + 2 + 2: the five oldest of the six waiting.
		var got []int64
		for _, w := range q.Waiting {
			if w.TeamID != support {
				t.Errorf("waiting %+v: team %d", w, w.TeamID)
			}
			got = append(got, w.ID)
		}
		if !slices.Equal(got, waiting[:5]) {
			t.Errorf("waiting = %v, want %v", got, waiting[:5])
		}
		return nil
	})
	// A team whose queue is empty locks nothing.
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		q, err := e.store.LockTeamQueuesTx(ctx, tx, []int64{billing}, 0)
		if err != nil || len(q.Agents) != 0 || len(q.Waiting) != 0 {
			t.Errorf("billing queue = %+v, %v", q, err)
		}
		if lockedNow(t, e, agentWriteLock, a2) {
			t.Error("an empty queue locked its agent")
		}
		return nil
	})
}

func TestLockTeamQueuesTxLocksAgentsInIDOrderBeforeConversations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	a1 := addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")
	a2 := addAgent(t, e, "a2", inbox.RoleAgent, 5, "available")
	a3 := addAgent(t, e, "a3", inbox.RoleAgent, 5, "available")
	team := addTeam(t, e, "Support", "a1", "a2", "a3")
	conv := customer(t, e, 1)
	queued(t, e, conv, team)

	// Another transaction holds a2, as a concurrent pass would.
	other, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, `SELECT 1 FROM agents WHERE id = $1 FOR NO KEY UPDATE`, a2); err != nil {
		t.Fatal(err)
	}

	got := make(chan inbox.TeamQueues, 1)
	release := make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(release) // a failed test still ends the pass
		}
	}()
	done := make(chan error, 1)
	go func() {
		done <- e.store.InTx(ctx, func(tx pgx.Tx) error {
			q, err := e.store.LockTeamQueuesTx(ctx, tx, []int64{team}, 0)
			if err != nil {
				return err
			}
			got <- q
			<-release
			return nil
		})
	}()

	// The pass takes a1, then waits for a2: it has not reached a3, nor the conversation.
	deadline := time.Now().Add(10 * time.Second)
	for !lockedNow(t, e, agentWriteLock, a1) {
		if time.Now().After(deadline) {
			t.Fatal("the pass never locked a1")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if lockedNow(t, e, agentWriteLock, a3) || lockedNow(t, e, convWriteLock, conv) {
		t.Fatal("the pass locked a3 or the conversation before a2")
	}
	// The agents' own assignments (a foreign key's KEY SHARE lock) do not wait for the pass.
	if lockedNow(t, e, agentKeyShare, a1) {
		t.Fatal("the pass blocks key-share locks on its agents")
	}
	select {
	case q := <-got:
		t.Fatalf("the pass went past a locked agent: %+v", q)
	default:
	}

	if err := other.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var q inbox.TeamQueues
	select {
	case q = <-got:
	case err := <-done:
		t.Fatalf("the pass ended without its queues: %v", err)
	}
	if len(q.Agents) != 3 || len(q.Waiting) != 1 || q.Waiting[0].ID != conv {
		t.Errorf("queues = %+v", q)
	}
	if !lockedNow(t, e, agentWriteLock, a3) || !lockedNow(t, e, convWriteLock, conv) {
		t.Error("the pass does not hold a3 and the conversation")
	}
	close(release)
	released = true
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAutoAssignManyTxAssignsAndMovesTheAgentsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")
	other := addAgent(t, e, "a2", inbox.RoleAgent, 5, "available")
	c1, c2, taken := customer(t, e, 1), customer(t, e, 2), customer(t, e, 3)
	if _, err := e.store.Assign(ctx, taken, other, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	var turns []int64
	inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if turns, err = e.store.NextTurnsTx(ctx, tx, 3); err != nil {
			return err
		}
		// The conversation assigned meanwhile stays with its agent.
		return e.store.AutoAssignManyTx(ctx, tx, []inbox.AutoAssignment{{ConversationID: c1, AgentID: agent, Turn: turns[0]},
			{ConversationID: taken, AgentID: agent, Turn: turns[1]}, {ConversationID: c2, AgentID: agent, Turn: turns[2]}})
	})
	if len(turns) != 3 || turns[0] <= 0 || turns[1] <= turns[0] || turns[2] <= turns[1] {
		t.Fatalf("turns = %v, want three increasing from 1", turns)
	}
	var seq int64
	var at *time.Time
	if err := e.pool.QueryRow(ctx, `SELECT assign_seq, last_assigned_at FROM agents WHERE id = $1`, agent).Scan(&seq, &at); err != nil {
		t.Fatal(err)
	}
	if seq != turns[2] || at == nil || !at.Equal(e.now) {
		t.Errorf("agent row: seq %d, last assigned %v, want %d and %v", seq, at, turns[2], e.now)
	}
	for _, c := range []int64{c1, c2} {
		trail, err := e.store.Audit(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		if conv, _ := e.store.GetConversation(ctx, c); conv.AssigneeID == nil || *conv.AssigneeID != agent ||
			last.Kind != "assign" || last.Actor != "system" || last.Data["via"] != "round_robin" || last.Data["to"] != float64(agent) {
			t.Errorf("conversation %+v, last audit entry %+v", conv, last)
		}
	}
	if conv, _ := e.store.GetConversation(ctx, taken); conv.AssigneeID == nil || *conv.AssigneeID != other {
		t.Errorf("the conversation assigned meanwhile: %+v", conv)
	}
	var notices int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE agent_id = $1 AND kind = $2`,
		agent, inbox.NotifyAssigned).Scan(&notices); err != nil || notices != 2 {
		t.Errorf("%d assignment notices (%v), want 2", notices, err)
	}
}

func TestEscalationAgentTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	busy := addAgent(t, e, "busy", inbox.RoleAgent, 5, "available")
	idle := addAgent(t, e, "idle", inbox.RoleAgent, 5, "available")
	addAgent(t, e, "away", inbox.RoleAgent, 5, "away")
	sup := addAgent(t, e, "sup", inbox.RoleSupervisor, 5, "available")
	admin := addAgent(t, e, "admin", inbox.RoleAdmin, 5, "available")
	team := addTeam(t, e, "Tier 2", "busy", "idle", "away")
	onlyAway := addTeam(t, e, "Night", "away")
	for i, a := range []int64{busy, sup, admin} {
		if _, err := e.store.Assign(ctx, customer(t, e, i), a, inbox.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	pick := func(team, current int64) int64 {
		t.Helper()
		var id int64
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			var err error
			id, err = e.store.EscalationAgentTx(ctx, tx, team, current)
			return err
		})
		return id
	}
	if got := pick(team, 0); got != idle {
		t.Errorf("team: got %d, want the least loaded %d", got, idle)
	}
	if got := pick(team, idle); got != busy {
		t.Errorf("team, idle holding it: got %d, want %d", got, busy)
	}
	if got := pick(0, 0); got != sup {
		t.Errorf("no team: got %d, want the supervisor %d before the equally loaded admin", got, sup)
	}
	if _, err := e.store.Assign(ctx, customer(t, e, 9), sup, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if got := pick(0, 0); got != admin {
		t.Errorf("no team, supervisor busier: got %d, want the admin %d", got, admin)
	}
	if got := pick(onlyAway, 0); got != 0 {
		t.Errorf("nobody available: got %d", got)
	}
}
