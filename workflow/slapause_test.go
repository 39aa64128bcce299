package workflow

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// TestSLAPendingPausesAndStaleDeadlines: pending stops the clock (kept as a pause row), the
// deadline jobs of the old generation then do nothing, and the customer's reply restarts the
// clock with the time already used counted.
func TestSLAPendingPausesAndStaleDeadlines(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	env.policy(NewPolicy{Name: "all", FirstResponse: time.Hour, Resolution: 4 * time.Hour})
	conv := env.sms("+14155550102", "SM1", "Where is my refund?").ConversationID
	env.runDue()
	if c := env.clockOf(conv, sla.FirstResponse); c.generation != 1 || !c.due.Equal(slaEpoch.Add(time.Hour)) {
		t.Fatalf("clock gen %d due %s, want 1 and 10:00", c.generation, at(c.due))
	}

	env.advance(20 * time.Minute)
	if _, err := env.store.SetStatus(ctx, conv, inbox.StatusPending, inbox.Actor{AgentID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	c := env.clockOf(conv, sla.FirstResponse)
	if c.state != sla.Paused || c.due != nil || c.generation != 2 {
		t.Fatalf("pending: clock %s due %s gen %d, want paused without due, gen 2", c.state, at(c.due), c.generation)
	}
	if n := env.count(`SELECT count(*) FROM sla_pauses WHERE conversation_id = $1 AND reason = 'pending' AND ended_at IS NULL`, conv); n != 1 {
		t.Fatalf("%d open pending pauses, want 1", n)
	}

	env.advance(time.Hour) // 10:20: the first generation's warning and breach run, and do nothing
	if n := env.count(`SELECT count(*) FROM sla_breaches`); n != 0 {
		t.Fatalf("%d breaches while paused, want 0", n)
	}
	if c := env.clockOf(conv, sla.FirstResponse); c.warned != nil {
		t.Fatalf("warned %s while paused", at(c.warned))
	}
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'sla_breach' AND state = 'completed'`); n != 1 {
		t.Fatalf("%d breach jobs worked, want the stale one", n)
	}

	env.advance(time.Hour) // 11:20: the customer answers; 40 minutes remain
	env.sms("+14155550102", "SM2", "Order 1234")
	env.runDue()
	c = env.clockOf(conv, sla.FirstResponse)
	if c.state != sla.Running || !c.due.Equal(slaEpoch.Add(3*time.Hour)) || c.generation != 3 {
		t.Fatalf("after the reply: clock %s due %s gen %d, want running until 12:00, gen 3", c.state, at(c.due), c.generation)
	}
	var ended time.Time
	if err := env.pool.QueryRow(ctx, `SELECT ended_at FROM sla_pauses WHERE conversation_id = $1`, conv).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if !ended.Equal(slaEpoch.Add(140 * time.Minute)) {
		t.Fatalf("pause ended %s, want 11:20", ended)
	}

	env.advance(28 * time.Minute) // 11:48: 80% used
	if c := env.clockOf(conv, sla.FirstResponse); c.warned == nil {
		t.Fatal("no warning at 80% of the running time")
	}
	env.advance(12 * time.Minute) // 12:00
	var due time.Time
	if err := env.pool.QueryRow(ctx, `SELECT due_at FROM sla_breaches WHERE conversation_id = $1`, conv).Scan(&due); err != nil {
		t.Fatalf("breach: %v", err)
	}
	if !due.Equal(slaEpoch.Add(3 * time.Hour)) {
		t.Fatalf("breach due %s, want 12:00", due)
	}
	if got := env.eventsOf(EventSLABreach); len(got) != 1 {
		t.Fatalf("%d breach events, want 1", len(got))
	}
	// The board shows it breached.
	board, err := env.sla.Board(ctx, BoardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Entries) != 1 || board.Entries[0].State != BoardBreached || board.Entries[0].ConversationID != conv {
		t.Fatalf("board = %+v, want the conversation breached", board.Entries)
	}
}

// TestSLABoardOrdersByNextDue: the board lists open conversations soonest due first, in keyset
// pages, with their state.
func TestSLABoardOrdersByNextDue(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	env.policy(NewPolicy{Name: "all", FirstResponse: time.Hour})
	var convs []int64
	for i, phone := range []string{"+14155550111", "+14155550112", "+14155550113"} {
		convs = append(convs, env.sms(phone, "SM"+phone, "help").ConversationID)
		if i < 2 {
			env.advance(10 * time.Minute)
		}
	}
	env.runDue()
	env.advance(30 * time.Minute) // 09:50: the first is at risk (48 min used), the others not yet
	page, err := env.sla.Board(ctx, BoardFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || page.Next == "" || page.Entries[0].ConversationID != convs[0] ||
		page.Entries[0].State != BoardAtRisk || page.Entries[1].State != BoardOK {
		t.Fatalf("first page = %+v next %q", page.Entries, page.Next)
	}
	rest, err := env.sla.Board(ctx, BoardFilter{Limit: 2, Cursor: page.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Entries) != 1 || rest.Entries[0].ConversationID != convs[2] || rest.Next != "" {
		t.Fatalf("second page = %+v next %q", rest.Entries, rest.Next)
	}
}
