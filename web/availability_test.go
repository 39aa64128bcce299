package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
	// Both sockets are gone from the server once its hub holds none of hers: each socket's
	// handler had marked her returned before its read loop could notice the close, so no late
	// return of a slow handler can undo the away below. The first timer can come sooner: a
	// socket closed before the other joined the hub was, for a moment, her last.
	for deadline := time.Now().Add(10 * time.Second); timers() == 0 || e.srv.hub.holds(ana.agent.ID); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d away timers, sockets still held: %t, 10 s after the last socket closed", timers(), e.srv.hub.holds(ana.agent.ID))
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

// TestDashboardListsAgentsAndTheirAvailability: the live figures list the agents one by one,
// available first (those with an open tab first among them), with an automatic away marked and whether a tab is open; a supervisor sees
// only the agents of their teams, an admin everyone, and a deactivated agent nobody.
func TestDashboardListsAgentsAndTheirAvailability(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	sue := e.newUser(t, "sue", inbox.RoleSupervisor)
	var made []inbox.Agent
	for _, name := range []string{"ana", "bob", "cy", "dee", "out", "zoe"} {
		a, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: name + "@example.com", Name: name, Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, a)
	}
	ana, bob, cy, dee, out, zoe := made[0], made[1], made[2], made[3], made[4], made[5]
	if _, err := e.store.CreateTeam(ctx, "A", []string{sue.agent.Email, ana.Email, bob.Email, cy.Email, out.Email, zoe.Email}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateTeam(ctx, "B", []string{dee.Email}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAvailability(ctx, bob.ID, inbox.AvailabilityOffline); err != nil {
		t.Fatal(err)
	}
	if err := e.store.TouchOnline(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.TouchOnline(ctx, cy.ID); err != nil {
		t.Fatal(err)
	}
	e.advance(testAwayAfter)
	for _, id := range []int64{ana.ID, zoe.ID} {
		if err := e.store.TouchOnline(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.AutoAway(ctx, cy.ID, testAwayAfter); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.DeactivateAgent(ctx, out.ID, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	list := func(u *user) []liveAgent {
		t.Helper()
		st, raw := u.get(t, "/api/v1/dashboard/live")
		var l liveFigures
		if err := json.Unmarshal([]byte(raw), &l); st != http.StatusOK || err != nil {
			t.Fatalf("live: %d %v", st, err)
		}
		return l.Agents
	}
	want := []liveAgent{
		{ID: ana.ID, Name: "ana", Availability: "available", Online: true},
		{ID: zoe.ID, Name: "zoe", Availability: "available", Online: true},
		{ID: sue.agent.ID, Name: "sue", Availability: "available"},
		{ID: cy.ID, Name: "cy", Availability: "away", Automatic: true},
		{ID: bob.ID, Name: "bob", Availability: "offline"},
	}
	if got := list(sue); !slices.Equal(got, want) {
		t.Fatalf("sue's list:\n%+v\nwant\n%+v", got, want)
	}
	all := list(admin)
	if len(all) != 7 || !slices.ContainsFunc(all, func(a liveAgent) bool { return a.ID == dee.ID }) ||
		slices.ContainsFunc(all, func(a liveAgent) bool { return a.ID == out.ID }) {
		t.Fatalf("the admin's list: %+v, want everyone active", all)
	}
	page := func(u *user) string {
		t.Helper()
		st, body := u.get(t, "/dashboard")
		if st != http.StatusOK {
			t.Fatalf("dashboard: %d", st)
		}
		return body
	}
	if body := page(sue); !strings.Contains(body, `data-agent="`+strconv.FormatInt(cy.ID, 10)+`" data-state="away"`) ||
		strings.Contains(body, `data-agent="`+strconv.FormatInt(dee.ID, 10)+`"`) {
		t.Fatal("sue's dashboard page does not list her team's agents alone")
	}
}
