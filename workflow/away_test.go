package workflow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
)

// awayEnv is an slaEnv with automatic away after ten minutes.
type awayEnv struct {
	*slaEnv
	away *Away
}

const testAwayAfter = 10 * time.Minute

func newAwayEnv(t *testing.T) awayEnv {
	env := newSLAEnv(t)
	jobs, err := NewEnqueuer(env.pool)
	if err != nil {
		t.Fatal(err)
	}
	return awayEnv{slaEnv: env, away: NewAway(env.store, jobs, testAwayAfter)}
}

// work runs the agent's away job now by the test clock and returns the snooze it asked for.
func (env awayEnv) work(agentID int64) time.Duration {
	env.t.Helper()
	job := &river.Job[AwayArgs]{JobRow: &rivertype.JobRow{}, Args: AwayArgs{AgentID: agentID, After: testAwayAfter}}
	err := (&awayWorker{store: env.store}).Work(context.Background(), job)
	var snooze *river.JobSnoozeError
	if errors.As(err, &snooze) {
		return snooze.Duration
	}
	if err != nil {
		env.t.Fatal(err)
	}
	return 0
}

// state is the agent's availability and whether it was set automatically.
func (env awayEnv) state(agentID int64) (string, bool) {
	env.t.Helper()
	var a string
	var auto bool
	if err := env.pool.QueryRow(context.Background(), `SELECT availability, auto_away FROM agents WHERE id = $1`, agentID).
		Scan(&a, &auto); err != nil {
		env.t.Fatal(err)
	}
	return a, auto
}

func (env awayEnv) touch(agentID int64) {
	env.t.Helper()
	if err := env.store.TouchOnline(context.Background(), agentID); err != nil {
		env.t.Fatal(err)
	}
}

// TestAutoAwayAfterTheLastTabCloses: closing tabs schedules one timer per agent, After from the
// close; a tab that beat since (on any process: the heartbeat is in the database) makes it wait
// for that beat plus After; then the agent is away, automatically, audited as the system and
// announced; opening a tab makes them available again, audited and announced the same way.
func TestAutoAwayAfterTheLastTabCloses(t *testing.T) {
	env := newAwayEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	env.touch(alice.ID)
	for range 5 {
		if err := env.away.Left(ctx, alice.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := env.count(`SELECT count(*) FROM river_job WHERE kind = 'agent_away' AND state = 'scheduled'
		AND scheduled_at = $1 AND (args->>'agent_id')::bigint = $2`, env.clock().Add(testAwayAfter), alice.ID); n != 1 {
		t.Fatalf("%d away timers after five closes, want 1 at close + 10m", n)
	}
	env.advance(4 * time.Minute)
	env.touch(alice.ID) // a tab on another process beats
	env.advance(6 * time.Minute)
	if wait := env.work(alice.ID); wait != 4*time.Minute {
		t.Fatalf("a beat 6m ago: snooze %s, want 4m", wait)
	}
	if a, _ := env.state(alice.ID); a != inbox.AvailabilityAvailable {
		t.Fatalf("before the delay: %s", a)
	}
	env.advance(4 * time.Minute)
	if wait := env.work(alice.ID); wait != 0 {
		t.Fatalf("10m after the last beat: snooze %s, want none", wait)
	}
	if a, auto := env.state(alice.ID); a != inbox.AvailabilityAway || !auto {
		t.Fatalf("after the delay: %s auto %v, want automatically away", a, auto)
	}
	if wait := env.work(alice.ID); wait != 0 {
		t.Fatalf("a second run: snooze %s", wait)
	}
	if changed, err := env.store.ReturnFromAway(ctx, alice.ID); err != nil || !changed {
		t.Fatalf("return: %v %v", changed, err)
	}
	if a, auto := env.state(alice.ID); a != inbox.AvailabilityAvailable || auto {
		t.Fatalf("after return: %s auto %v", a, auto)
	}
	evs := env.eventsOf(inbox.EventAgentAvailability)
	if len(evs) != 2 || evs[0].Data["availability"] != "away" || evs[0].Previous != "available" || evs[0].Data["automatic"] != true ||
		evs[1].Data["availability"] != "available" || evs[1].Data["automatic"] != true || evs[1].AgentID != alice.ID {
		t.Fatalf("events %+v, want automatic away then automatic available", evs)
	}
	if n := env.count(`SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = 'system' AND actor_id IS NULL
		AND target = $2 AND data->>'automatic' = 'true'`, inbox.AuditAvailability, inbox.AuditTarget("agent", alice.ID)); n != 2 {
		t.Fatalf("%d automatic audit rows, want 2", n)
	}
	if changed, err := env.store.ReturnFromAway(ctx, alice.ID); err != nil || changed {
		t.Fatalf("a second return: %v %v, want nothing", changed, err)
	}
}

// TestAutoAwayNeverOverridesAManualChoice: a manual away or offline is neither touched by the
// timer nor undone by a return; an automatic away the agent then confirms (or turns into
// offline) is theirs; a deactivated agent stays offline; an unknown agent is no error.
func TestAutoAwayNeverOverridesAManualChoice(t *testing.T) {
	env := newAwayEnv(t)
	ctx := context.Background()
	set := func(id int64, a string) {
		t.Helper()
		if err := env.store.SetAvailability(ctx, id, a); err != nil {
			t.Fatal(err)
		}
	}
	bob := env.agent("bob", inbox.RoleAgent)
	carol := env.agent("carol", inbox.RoleAgent)
	dan := env.agent("dan", inbox.RoleAgent)
	erin := env.agent("erin", inbox.RoleAgent)
	set(bob.ID, inbox.AvailabilityOffline)
	env.advance(time.Hour)
	for _, id := range []int64{bob.ID, carol.ID, dan.ID, erin.ID, 999999} {
		if wait := env.work(id); wait != 0 {
			t.Fatalf("agent %d never online: snooze %s", id, wait)
		}
	}
	if a, _ := env.state(bob.ID); a != inbox.AvailabilityOffline {
		t.Fatalf("manual offline became %s", a)
	}
	if _, err := env.store.ReturnFromAway(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := env.state(bob.ID); a != inbox.AvailabilityOffline {
		t.Fatalf("manual offline returned as %s", a)
	}
	set(carol.ID, inbox.AvailabilityAway) // confirms the automatic away
	set(dan.ID, inbox.AvailabilityOffline)
	if _, err := env.store.DeactivateAgent(ctx, erin.ID, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{carol.ID, dan.ID, erin.ID} {
		before, _ := env.state(id)
		if _, err := env.store.ReturnFromAway(ctx, id); err != nil {
			t.Fatal(err)
		}
		if a, auto := env.state(id); a != before || auto {
			t.Fatalf("agent %d: %s became %s (auto %v) on return", id, before, a, auto)
		}
	}
	if n := env.count(`SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = 'dan@example.com'`, inbox.AuditAvailability); n != 1 {
		t.Fatalf("%d audit rows of dan's own change, want 1", n)
	}
}

// TestAutoAwayRacesAManualOffline: the timer and the agent's own "offline" at once always end
// offline, never automatically away (the agent's row lock orders them).
func TestAutoAwayRacesAManualOffline(t *testing.T) {
	env := newAwayEnv(t)
	ctx := context.Background()
	for i := range 10 {
		a := env.agent(fmt.Sprintf("racer%d", i), inbox.RoleAgent)
		env.advance(time.Hour)
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := env.store.AutoAway(ctx, a.ID, testAwayAfter); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if err := env.store.SetAvailability(ctx, a.ID, inbox.AvailabilityOffline); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if got, auto := env.state(a.ID); got != inbox.AvailabilityOffline || auto {
			t.Fatalf("race %d: %s auto %v, want offline", i, got, auto)
		}
	}
}
