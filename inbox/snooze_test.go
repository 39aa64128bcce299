package inbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// wokeTrail counts the wakes in conv's trail, by reason.
func wokeTrail(t *testing.T, e *env, conv int64) map[string]int {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT data->>'woke' FROM conversation_events
		WHERE conversation_id = $1 AND kind = 'status' AND data ? 'woke'`, conv)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	var r string
	if _, err := pgx.ForEachRow(rows, []any{&r}, func() error { out[r]++; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// wokeEvents counts the conversation.woke events published (testJobs records each as a job).
func (e *env) wokeEvents(t *testing.T) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'test_event' AND args->>'type' = 'conversation.woke'`)
}

func TestSnoozeChecksItsInstantAndStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := inbox.Actor{AgentID: addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")}
	conv := customer(t, e, 1)
	for _, bad := range []time.Time{e.now, e.now.Add(-time.Minute), e.now.Add(400 * time.Millisecond), e.now.Add(inbox.MaxSnooze + time.Second)} {
		_, err := e.store.Snooze(ctx, conv, bad, agent)
		var ve *inbox.ValidationError
		if !errors.As(err, &ve) || ve.Field != "until" {
			t.Errorf("until %s: %v, want a ValidationError on until", bad, err)
		}
	}
	if _, err := e.store.SetStatus(ctx, conv, inbox.StatusSnoozed, agent); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("status snoozed without an instant: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND status = 'new' AND snoozed_until IS NULL`, conv); n != 1 {
		t.Fatal("a refused snooze changed the conversation")
	}

	until := e.now.Add(90*time.Minute + 300*time.Millisecond)
	c, err := e.store.Snooze(ctx, conv, until, agent)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != inbox.StatusSnoozed || c.SnoozedUntil == nil || !c.SnoozedUntil.Equal(until.Truncate(time.Second)) {
		t.Errorf("snoozed: %s until %v, want until %s", c.Status, c.SnoozedUntil, until.Truncate(time.Second))
	}
	if l, err := e.store.As(inbox.Everyone()).Live(ctx); err != nil || l.Snoozed != 1 || l.Open != 0 {
		t.Errorf("live figures while snoozed: %+v, %v; want 1 snoozed, none open", l, err)
	}
	trail, err := e.store.Audit(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	last := trail[len(trail)-1]
	if last.Kind != "status" || last.Data["to"] != "snoozed" || last.Data["from"] != "new" || last.Data["until"] == nil || *last.AgentID != agent.AgentID {
		t.Errorf("trail entry: %+v", last)
	}
	// The same instant again changes nothing; another moves it.
	if _, err := e.store.Snooze(ctx, conv, until, agent); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND data->>'to' = 'snoozed'`, conv); n != 1 {
		t.Errorf("the same snooze again: %d entries", n)
	}
	later := until.Add(time.Hour).Truncate(time.Second)
	if c, err = e.store.Snooze(ctx, conv, later, agent); err != nil || !c.SnoozedUntil.Equal(later) {
		t.Errorf("moved: %v, %v", c.SnoozedUntil, err)
	}

	// Resolved and closed conversations cannot be snoozed.
	if _, err := e.store.SetStatus(ctx, conv, inbox.StatusResolved, agent); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND status = 'resolved' AND snoozed_until IS NULL`, conv); n != 1 {
		t.Error("resolving a snoozed conversation kept its instant")
	}
	if _, err := e.store.Snooze(ctx, conv, later, agent); !errors.Is(err, inbox.ErrNotSnoozable) {
		t.Errorf("resolved: %v", err)
	}
	if e.wokeEvents(t) != 0 {
		t.Error("resolving a snoozed conversation announced a wake")
	}
	if _, err := e.store.SetStatus(ctx, conv, inbox.StatusClosed, agent); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Snooze(ctx, conv, later, agent); !errors.Is(err, inbox.ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	if _, err := e.store.Snooze(ctx, 999999, later, agent); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
}

func TestSnoozeIsScopedToTheViewer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	addAgent(t, e, "in", inbox.RoleAgent, 5, "available")
	out := addAgent(t, e, "out", inbox.RoleAgent, 5, "available")
	team := addTeam(t, e, "A", "in")
	addTeam(t, e, "B", "out")
	conv := customer(t, e, 1)
	queued(t, e, conv, team)
	a, err := e.store.GetAgent(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.store.ViewerOf(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.As(v).Snooze(ctx, conv, e.now.Add(time.Hour), inbox.Actor{AgentID: out}); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("another team's conversation: %v, want ErrNotFound", err)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND status = 'snoozed'`, conv); n != 0 {
		t.Error("a hidden conversation was snoozed")
	}
}

func TestWakeTxWakesOnlyTheSnoozeItWasSetFor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := inbox.Actor{AgentID: addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")}
	conv := customer(t, e, 1)
	first := e.now.Add(time.Hour)
	wake := func(until time.Time) bool {
		t.Helper()
		var woke bool
		inTx(t, e, func(ctx context.Context, tx pgx.Tx) error {
			var err error
			woke, err = e.store.WakeTx(ctx, tx, conv, until)
			return err
		})
		return woke
	}
	if _, err := e.store.Snooze(ctx, conv, first, agent); err != nil {
		t.Fatal(err)
	}
	second := first.Add(time.Hour)
	if _, err := e.store.Snooze(ctx, conv, second, agent); err != nil {
		t.Fatal(err)
	}
	if wake(first) {
		t.Error("the timer of a moved snooze woke the conversation")
	}
	e.now = second
	if !wake(second) {
		t.Fatal("the current timer did not wake the conversation")
	}
	c, err := e.store.GetConversation(ctx, conv)
	if err != nil || c.Status != inbox.StatusOpen || c.SnoozedUntil != nil {
		t.Fatalf("after the wake: %+v, %v", c, err)
	}
	if wake(second) {
		t.Error("the same timer woke it twice")
	}
	if got := wokeTrail(t, e, conv); got[inbox.WokeTimer] != 1 || len(got) != 1 {
		t.Errorf("trail wakes: %v", got)
	}
	if e.wokeEvents(t) != 1 {
		t.Errorf("conversation.woke events: %d, want 1", e.wokeEvents(t))
	}
	if wake := func() bool {
		var woke bool
		err := e.store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			woke, err = e.store.WakeTx(ctx, tx, 999999, second)
			return err
		})
		return woke || err != nil
	}(); wake {
		t.Error("an unknown conversation: woke or failed")
	}
}

func TestAgentAndCustomerWakeASnoozedConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := inbox.Actor{AgentID: addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")}
	conv := customer(t, e, 1)
	if _, err := e.store.Snooze(ctx, conv, e.now.Add(time.Hour), agent); err != nil {
		t.Fatal(err)
	}
	// An automatic reply is filed without waking it.
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM-auto", From: phoneFrom("+15550100001"), Text: "Out of office", Auto: "auto-reply"})
	if c, _ := e.store.GetConversation(ctx, conv); c.Status != inbox.StatusSnoozed {
		t.Fatalf("after an auto-reply: %s", c.Status)
	}
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM-again", From: phoneFrom("+15550100001"), Text: "Any news?"})
	if res.ConversationID != conv {
		t.Fatalf("the customer's message went to %d, not the snoozed %d", res.ConversationID, conv)
	}
	c, err := e.store.GetConversation(ctx, conv)
	if err != nil || c.Status != inbox.StatusOpen || c.SnoozedUntil != nil {
		t.Fatalf("after the customer wrote: %+v, %v", c, err)
	}
	// Snoozed again, an agent wakes it by setting it open.
	if _, err := e.store.Snooze(ctx, conv, e.now.Add(time.Hour), agent); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetStatus(ctx, conv, inbox.StatusOpen, agent); err != nil {
		t.Fatal(err)
	}
	if got := wokeTrail(t, e, conv); got[inbox.WokeCustomer] != 1 || got[inbox.WokeAgent] != 1 || len(got) != 2 {
		t.Errorf("trail wakes: %v", got)
	}
	if e.wokeEvents(t) != 2 {
		t.Errorf("conversation.woke events: %d, want 2", e.wokeEvents(t))
	}
}

// TestSnoozeRacesACustomerMessage holds a snooze (then a timer's wake) uncommitted while the
// customer's message arrives: the ingest waits for it and sees what it did, so a message never
// lands in a conversation left snoozed, and a timer and the customer never both wake it.
func TestSnoozeRacesACustomerMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	agent := inbox.Actor{AgentID: addAgent(t, e, "a1", inbox.RoleAgent, 5, "available")}
	conv := customer(t, e, 1)
	until := e.now.Add(time.Hour)
	// race runs change in a transaction held open until a customer's message is waiting on it.
	race := func(ext string, change func(tx pgx.Tx) error) {
		t.Helper()
		tx, err := e.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if err := change(tx); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: ext, From: phoneFrom("+15550100001"), Text: "hello?"})
			done <- err
		}()
		waitForLockWait(t, e)
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	race("race-1", func(tx pgx.Tx) error { return e.store.SnoozeTx(ctx, tx, conv, until, agent) })
	if c, _ := e.store.GetConversation(ctx, conv); c.Status != inbox.StatusOpen || c.SnoozedUntil != nil {
		t.Fatalf("a message that came during the snooze left it %s until %v", c.Status, c.SnoozedUntil)
	}
	if _, err := e.store.Snooze(ctx, conv, until, agent); err != nil {
		t.Fatal(err)
	}
	e.now = until
	race("race-2", func(tx pgx.Tx) error {
		woke, err := e.store.WakeTx(ctx, tx, conv, until)
		if err == nil && !woke {
			err = errors.New("the timer did not wake it")
		}
		return err
	})
	if got := wokeTrail(t, e, conv); got[inbox.WokeCustomer] != 1 || got[inbox.WokeTimer] != 1 || len(got) != 2 {
		t.Errorf("trail wakes: %v, want one by the customer (the first race) and one by the timer", got)
	}
}

// waitForLockWait waits until a session of e's database waits for a lock.
func waitForLockWait(t *testing.T, e *env) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if e.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			return
		}
	}
	t.Fatal("no session came to wait for the lock")
}
