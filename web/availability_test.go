package web

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// testAwayAfter is the automatic away delay of the tests' servers.
const testAwayAfter = 10 * time.Minute

// TestEventSocketsDriveAutoAway: closing an agent's last socket schedules their away timer
// (one, however many tabs close) at the close plus the delay; opening a socket after an
// automatic away makes them available again, and the new socket hears it.
func TestEventSocketsDriveAutoAway(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	closedAt := e.clock()
	one, two := ana.dial(t, e), ana.dial(t, e)
	one.Close()
	two.Close()
	timers := func() int {
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'agent_away' AND state = 'scheduled'
			AND scheduled_at = $1 AND (args->>'agent_id')::bigint = $2`, closedAt.Add(testAwayAfter), ana.agent.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); timers() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no away timer after the last socket closed")
		}
	}
	if n := timers(); n != 1 {
		t.Fatalf("%d away timers, want 1", n)
	}
	e.advance(testAwayAfter)
	if wait, err := e.store.AutoAway(ctx, ana.agent.ID, testAwayAfter); err != nil || wait != 0 {
		t.Fatalf("away: %s %v", wait, err)
	}
	back := ana.dial(t, e)
	ev := back.NextMatch(t, func(ev inbox.Event) bool {
		return ev.Type == inbox.EventAgentAvailability && ev.AgentID == ana.agent.ID && ev.Data["availability"] == inbox.AvailabilityAvailable
	})
	if ev.Previous != inbox.AvailabilityAway || ev.Data["automatic"] != true {
		t.Fatalf("return event %+v", ev)
	}
	a, err := e.store.GetAgent(ctx, ana.agent.ID)
	if err != nil || a.Availability != inbox.AvailabilityAvailable {
		t.Fatalf("after return: %+v %v", a, err)
	}
}
