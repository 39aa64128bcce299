package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// TestDashboardCreditsTheAgentWhoDidTheWork has conversation a assigned to ana but answered
// (after 86 s) and resolved by bob, and the unassigned conversation b answered by carl: the
// agents table credits bob and carl, and every duration reads to the second.
func TestDashboardCreditsTheAgentWhoDidTheWork(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	bob := e.newUser(t, "bob", inbox.RoleAgent)
	carl := e.newUser(t, "carl", inbox.RoleAgent)
	reply := func(conv int64, by *user) {
		t.Helper()
		if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: by.agent.ID}, Text: "on it"}); err != nil {
			t.Fatal(err)
		}
	}
	a := e.customer(t, "a", "a@example.com", "A", "S", "help")
	if _, err := e.store.Assign(ctx, a.ConversationID, ana.agent.ID, inbox.Actor{AgentID: sup.agent.ID}); err != nil {
		t.Fatal(err)
	}
	e.advance(86 * time.Second)
	reply(a.ConversationID, bob)
	e.advance(time.Hour)
	if _, err := e.store.SetStatus(ctx, a.ConversationID, inbox.StatusResolved, inbox.Actor{AgentID: bob.agent.ID}); err != nil {
		t.Fatal(err)
	}
	b := e.customer(t, "b", "b@example.com", "B", "S", "help")
	e.advance(2*time.Minute + 5*time.Second)
	reply(b.ConversationID, carl)
	reply(b.ConversationID, ana) // a later reply is not the first response
	e.advance(time.Minute)

	st, body := sup.get(t, "/dashboard?period=1d")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	row := func(name string, assigned, resolved, replies int, first, resolution string) string {
		return fmt.Sprintf(`<td>%s</td><td class="num">%d</td><td class="num">%d</td><td class="num">%d</td><td class="num">%s</td><td class="num">%s</td>`,
			name, assigned, resolved, replies, first, resolution)
	}
	mustContain(t, "dashboard", body,
		row("ana", 1, 0, 1, "—", "—"),
		row("bob", 0, 1, 1, "1m 26s", "1h 1m"),
		row("carl", 0, 0, 1, "2m 5s", "—"),
		// The conversations' median first response: (86 s + 125 s) / 2.
		`<span class="tile-n">1m 46s</span><span class="tile-l">median first response</span>`)

	_, csv := sup.get(t, "/dashboard/export/agents.csv?period=1d")
	mustContain(t, "agents.csv", csv, ",bob,0,1,1,86,3686,", ",carl,0,0,1,125,0,", ",ana,1,0,1,0,0,")

	// A reopened conversation is nobody's resolution until resolved again.
	e.customer(t, "a2", "a@example.com", "A", "S", "it broke again")
	_, body = sup.get(t, "/dashboard?period=1d")
	mustContain(t, "dashboard after reopening", body, row("bob", 0, 0, 1, "1m 26s", "—"))
}

// TestDashboardLiveTiles seeds conversations in two teams and no team, some answered, one
// resolved unanswered, and agents' heartbeats, and reads the live tiles on the page, in the API
// and as an agent of each team sees them.
func TestDashboardLiveTiles(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleAdmin)
	agent := func(name string) inbox.Agent {
		t.Helper()
		a, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: name + "@example.com", Name: name, Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	ana, bob, carl, dave := agent("ana"), agent("bob"), agent("carl"), agent("dave")
	team := func(name string, members ...inbox.Agent) int64 {
		t.Helper()
		var emails []string
		for _, m := range members {
			emails = append(emails, m.Email)
		}
		tm, err := e.store.CreateTeam(ctx, name, emails)
		if err != nil {
			t.Fatal(err)
		}
		return tm.ID
	}
	teamA, teamB := team("A", ana, bob), team("B", carl, dave)
	toTeam := func(conv, teamID int64) {
		t.Helper()
		if err := e.store.InTx(ctx, func(tx pgx.Tx) error { return e.store.SetTeamTx(ctx, tx, conv, teamID, inbox.Actor{}) }); err != nil {
			t.Fatal(err)
		}
	}
	start := e.clock()
	// c1: no team, unassigned, waiting since start (its second message does not restart the wait).
	c1 := e.customer(t, "c1", "c1@example.com", "One", "Lost parcel", "where is it?")
	e.advance(5 * time.Minute)
	// c2: team A, assigned to ana and answered by her.
	c2 := e.customer(t, "c2", "c2@example.com", "Two", "Refund", "refund please")
	toTeam(c2.ConversationID, teamA)
	if _, err := e.store.Assign(ctx, c2.ConversationID, ana.ID, inbox.Actor{AgentID: ana.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: c2.ConversationID, Author: inbox.Actor{AgentID: ana.ID}, Text: "done"}); err != nil {
		t.Fatal(err)
	}
	e.advance(5 * time.Minute)
	// c3: team B, unassigned, waiting since start+10m.
	c3 := e.customer(t, "c3", "c3@example.com", "Three", "Invoice", "copy please")
	toTeam(c3.ConversationID, teamB)
	// c4: team B, resolved without a reply: neither open nor waiting.
	c4 := e.customer(t, "c4", "c4@example.com", "Four", "Thanks", "all good")
	toTeam(c4.ConversationID, teamB)
	if _, err := e.store.SetStatus(ctx, c4.ConversationID, inbox.StatusResolved, inbox.Actor{AgentID: dave.ID}); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Minute)
	if again := e.customer(t, "c1b", "c1@example.com", "One", "Lost parcel", "hello?"); again.ConversationID != c1.ConversationID {
		t.Fatalf("c1's second message opened conversation %d", again.ConversationID)
	}
	// Heartbeats: bob's is too old; ana's and carl's are fresh, carl is away.
	if err := e.store.TouchOnline(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	e.advance(inbox.OnlineWindow + time.Second)
	for _, a := range []inbox.Agent{ana, carl} {
		if err := e.store.TouchOnline(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.SetAvailability(ctx, carl.ID, "away"); err != nil {
		t.Fatal(err)
	}
	waited := englishWords().duration(e.clock().Sub(start))

	st, body := sup.get(t, "/dashboard")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	mustContain(t, "dashboard", body,
		`<span class="tile-n" data-live="open">3</span><span class="tile-l">open now</span>`,
		`<span class="tile-n" data-live="unassigned">2</span><span class="tile-l">unassigned now</span>`,
		`<span class="tile-n" data-live="online">2</span><span class="tile-l">agents online</span><span class="tile-s"><span data-live="available">1</span> available</span>`,
		`>`+waited+`</time></span><span class="tile-l">longest wait</span><span class="tile-s"><a href="/inbox/`+fmt.Sprint(c1.ConversationID)+`">#`+fmt.Sprint(c1.ConversationID)+` Lost parcel</a>`)

	st, raw := sup.get(t, "/api/v1/dashboard/live")
	if st != http.StatusOK {
		t.Fatalf("live: %d %s", st, raw)
	}
	var got liveFigures
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	want := liveFigures{Open: 3, Unassigned: 2, Online: 2, Available: 1,
		Longest: &longestWait{ConversationID: c1.ConversationID, Subject: "Lost parcel", Since: start, Wait: waited}}
	if got.Longest == nil || *got.Longest != *want.Longest || got.Open != want.Open || got.Unassigned != want.Unassigned ||
		got.Online != want.Online || got.Available != want.Available {
		t.Errorf("live = %+v (longest %+v), want %+v (longest %+v)", got, got.Longest, want, want.Longest)
	}

	// Each team's agent sees their team's figures: ana team A (c2 answered; ana online), dave
	// team B (c3 waiting; carl online and away).
	for _, c := range []struct {
		who                                 inbox.Agent
		open, unassigned, online, available int64
		longest                             int64
	}{
		{ana, 1, 0, 1, 1, 0},
		{dave, 1, 1, 1, 0, c3.ConversationID},
	} {
		v, err := e.store.ViewerOf(ctx, c.who)
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.store.As(v).Live(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var longest int64
		if l.Longest != nil {
			longest = l.Longest.ConversationID
		}
		if l.Open != c.open || l.Unassigned != c.unassigned || l.Online != c.online || l.Available != c.available || longest != c.longest {
			t.Errorf("%s sees %+v (longest %d), want open %d, unassigned %d, online %d, available %d, longest %d",
				c.who.Name, l, longest, c.open, c.unassigned, c.online, c.available, c.longest)
		}
	}

	// An agent's reply ends the wait; the next longest is c3's.
	if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: c1.ConversationID, Author: inbox.Actor{AgentID: bob.ID}, Text: "found it"}); err != nil {
		t.Fatal(err)
	}
	_, raw = sup.get(t, "/api/v1/dashboard/live")
	got = liveFigures{}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Longest == nil || got.Longest.ConversationID != c3.ConversationID || !got.Longest.Since.Equal(start.Add(10*time.Minute)) {
		t.Errorf("after c1's answer, longest = %+v, want c3 since start+10m", got.Longest)
	}
}

// TestEventSocketCountsItsAgentOnline opens an agent's event socket and reads them online.
func TestEventSocketCountsItsAgentOnline(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	sup := e.newUser(t, "sue", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	live := func() liveFigures {
		t.Helper()
		st, raw := sup.get(t, "/api/v1/dashboard/live")
		var l liveFigures
		if err := json.Unmarshal([]byte(raw), &l); st != http.StatusOK || err != nil {
			t.Fatalf("live: %d %v", st, err)
		}
		return l
	}
	if l := live(); l.Online != 0 {
		t.Fatalf("online before any socket: %d", l.Online)
	}
	ana.dial(t, e)
	if l := live(); l.Online != 1 || l.Available != 1 {
		t.Errorf("with ana's socket open: online %d, available %d; want 1, 1", l.Online, l.Available)
	}
	e.advance(inbox.OnlineWindow + time.Second)
	if l := live(); l.Online != 0 {
		t.Errorf("a heartbeat older than the window still counts: online %d", l.Online)
	}
}
