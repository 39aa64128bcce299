package workflow

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// newSnoozeEnv is an slaEnv that also works the snooze timers.
func newSnoozeEnv(t *testing.T) *slaEnv {
	env := newSLAEnv(t)
	addRunner(env, &snoozeWakeWorker{e: env.engine})
	return env
}

// TestSnoozeWakesAtItsInstant: the snooze schedules one timer at its instant, in its own
// transaction; the conversation stays snoozed until then and wakes to open at that instant,
// announced to its assignee; the SLA clock stands still meanwhile (the policy pauses on pending)
// and runs again from the wake.
func TestSnoozeWakesAtItsInstant(t *testing.T) {
	env := newSnoozeEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	env.policy(NewPolicy{Name: "all", FirstResponse: time.Hour})
	conv := env.sms("+14155550131", "SM1", "Where is my parcel?").ConversationID
	if _, err := env.store.Assign(ctx, conv, alice.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	env.advance(10 * time.Minute)
	until := env.clock().Add(2 * time.Hour)
	if _, err := env.store.Snooze(ctx, conv, until, inbox.Actor{AgentID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'snooze_wake' AND state = 'scheduled'
		AND scheduled_at = $1 AND (args->>'conversation_id')::bigint = $2`, until, conv); n != 1 {
		t.Fatalf("%d wake timers scheduled at %s, want 1", n, until)
	}
	// Run before its instant by the store's clock (River's clock is the database's), the timer
	// waits for it and changes nothing.
	early := &river.Job[SnoozeWakeArgs]{JobRow: &rivertype.JobRow{}, Args: SnoozeWakeArgs{ConversationID: conv, Until: until}}
	var snooze *river.JobSnoozeError
	if err := (&snoozeWakeWorker{e: env.engine}).Work(ctx, early); !errors.As(err, &snooze) || snooze.Duration != 2*time.Hour {
		t.Fatalf("run early: %v, want a snooze of 2h", err)
	}
	env.runDue()
	if c := env.clockOf(conv, sla.FirstResponse); c.state != sla.Paused || c.due != nil {
		t.Fatalf("snoozed: clock %s due %s, want paused", c.state, at(c.due))
	}
	env.advance(2*time.Hour - time.Second)
	if s := env.conversation(conv).Status; s != inbox.StatusSnoozed {
		t.Fatalf("a second before its instant: %s", s)
	}
	if n := env.count(`SELECT count(*) FROM sla_breaches`); n != 0 {
		t.Fatalf("%d breaches while snoozed", n)
	}
	env.advance(time.Second)
	c := env.conversation(conv)
	if c.Status != inbox.StatusOpen || c.SnoozedUntil != nil {
		t.Fatalf("at its instant: %s until %v, want open", c.Status, c.SnoozedUntil)
	}
	woke := env.eventsOf(inbox.EventConversationWoke)
	if len(woke) != 1 || woke[0].Data["reason"] != inbox.WokeTimer || woke[0].AssigneeID != alice.ID || woke[0].ConversationID != conv {
		t.Fatalf("conversation.woke events: %+v, want one for alice by the timer", woke)
	}
	if n := env.count(`SELECT count(*) FROM notifications WHERE agent_id = $1 AND conversation_id = $2 AND kind = $3`,
		alice.ID, conv, inbox.NotifySnoozeWoke); n != 1 {
		t.Fatalf("%d snooze notices to alice, want 1", n)
	}
	// 9:00 + 1 h, plus the two hours snoozed.
	if c := env.clockOf(conv, sla.FirstResponse); c.state != sla.Running || !c.due.Equal(slaEpoch.Add(3*time.Hour)) {
		t.Fatalf("after the wake: clock %s due %s, want running until 12:00", c.state, at(c.due))
	}
	if n := env.count(`SELECT count(*) FROM sla_pauses WHERE conversation_id = $1 AND reason = 'pending' AND ended_at = $2`, conv, until); n != 1 {
		t.Fatalf("%d pauses ending at the wake, want 1", n)
	}
}

// TestSnoozeTimersThatWentStale: a timer does nothing once its snooze was moved, woken early by
// the customer or by an agent, or resolved; only the current one wakes, once.
func TestSnoozeTimersThatWentStale(t *testing.T) {
	env := newSnoozeEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	by := inbox.Actor{AgentID: alice.ID}
	moved := env.sms("+14155550141", "SM1", "Question one").ConversationID
	early := env.sms("+14155550142", "SM2", "Question two").ConversationID
	agentWoke := env.sms("+14155550143", "SM3", "Question three").ConversationID
	resolved := env.sms("+14155550144", "SM4", "Question four").ConversationID
	start := env.clock()
	for _, conv := range []int64{moved, early, agentWoke, resolved} {
		if _, err := env.store.Snooze(ctx, conv, start.Add(time.Hour), by); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.store.Snooze(ctx, moved, start.Add(3*time.Hour), by); err != nil {
		t.Fatal(err)
	}
	env.advance(30 * time.Minute)
	env.sms("+14155550142", "SM5", "Any news?")
	if _, err := env.store.SetStatus(ctx, agentWoke, inbox.StatusOpen, by); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.SetStatus(ctx, resolved, inbox.StatusResolved, by); err != nil {
		t.Fatal(err)
	}
	env.advance(30 * time.Minute) // the first timers run
	for conv, want := range map[int64]inbox.Status{moved: inbox.StatusSnoozed, early: inbox.StatusOpen,
		agentWoke: inbox.StatusOpen, resolved: inbox.StatusResolved} {
		if s := env.conversation(conv).Status; s != want {
			t.Errorf("conversation %d after its first timer: %s, want %s", conv, s, want)
		}
	}
	reasons := map[int64]any{}
	for _, e := range env.eventsOf(inbox.EventConversationWoke) {
		reasons[e.ConversationID] = e.Data["reason"]
	}
	if len(reasons) != 2 || reasons[early] != inbox.WokeCustomer || reasons[agentWoke] != inbox.WokeAgent {
		t.Fatalf("wakes after the first timers: %v", reasons)
	}
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'snooze_wake' AND state = 'completed'`); n != 4 {
		t.Errorf("%d timers worked, want the 4 first ones", n)
	}
	env.advance(2 * time.Hour)
	if s := env.conversation(moved).Status; s != inbox.StatusOpen {
		t.Errorf("the moved snooze at its new instant: %s", s)
	}
	if n := len(env.eventsOf(inbox.EventConversationWoke)); n != 3 {
		t.Errorf("%d wakes in all, want 3", n)
	}
}

// TestSnoozeRunsTheClockWithoutPendingPause: under a policy that does not pause on pending, a
// snooze does not stop the clock either, and the breach comes while snoozed.
func TestSnoozeRunsTheClockWithoutPendingPause(t *testing.T) {
	env := newSnoozeEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	no := false
	env.policy(NewPolicy{Name: "all", FirstResponse: time.Hour, PausePending: &no})
	conv := env.sms("+14155550151", "SM1", "Hello").ConversationID
	env.runDue()
	if _, err := env.store.Snooze(ctx, conv, env.clock().Add(3*time.Hour), inbox.Actor{AgentID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	env.advance(90 * time.Minute)
	if s := env.conversation(conv).Status; s != inbox.StatusSnoozed {
		t.Fatalf("status %s, want snoozed", s)
	}
	if n := env.count(`SELECT count(*) FROM sla_breaches WHERE conversation_id = $1`, conv); n != 1 {
		t.Fatalf("%d breaches, want the first response's while snoozed", n)
	}
}
