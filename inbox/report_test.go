package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// reportWorld is a day and a half of work by two teams: ana (team A) and bob (team B), the
// supervisor sue of team A, and conversations that are or are not resolved at first contact.
type reportWorld struct {
	e                      *env
	ana, bob, sue, admin   int64
	teamA, teamB           int64
	c1, c2, c3, c4, c5, c6 int64
	start                  time.Time
}

func newReportWorld(t *testing.T) reportWorld {
	t.Helper()
	ctx := context.Background()
	e := setup(t)
	w := reportWorld{e: e, start: e.now}
	w.ana = addAgent(t, e, "ana", inbox.RoleAgent, 5, "available")
	w.bob = addAgent(t, e, "bob", inbox.RoleAgent, 5, "available")
	w.sue = addAgent(t, e, "sue", inbox.RoleSupervisor, 5, "available")
	w.admin = addAgent(t, e, "root", inbox.RoleAdmin, 5, "available")
	w.teamA = addTeam(t, e, "A", "ana", "sue")
	w.teamB = addTeam(t, e, "B", "bob")
	work := func(n int, team, agent int64, replies int) int64 {
		c := customer(t, e, n)
		queued(t, e, c, team)
		if _, err := e.store.Assign(ctx, c, agent, inbox.Actor{AgentID: agent}); err != nil {
			t.Fatal(err)
		}
		for range replies {
			e.now = e.now.Add(10 * time.Minute)
			if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: c, Author: inbox.Actor{AgentID: agent}, Text: "on it"}); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	resolve := func(c, agent int64) {
		e.now = e.now.Add(20 * time.Minute)
		if _, err := e.store.SetStatus(ctx, c, inbox.StatusResolved, inbox.Actor{AgentID: agent}); err != nil {
			t.Fatal(err)
		}
	}
	// c1: one reply, resolved: first contact. c3 the same in team B; its customer comes back.
	w.c1 = work(1, w.teamA, w.ana, 1)
	resolve(w.c1, w.ana)
	w.c3 = work(3, w.teamB, w.bob, 1)
	resolve(w.c3, w.bob)
	// c4: one reply, resolved, reopened by its customer an hour later, resolved again.
	w.c4 = work(4, w.teamA, w.ana, 1)
	resolve(w.c4, w.ana)
	e.now = e.now.Add(time.Hour)
	e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM4-again", From: phoneFrom("+15550100004"), Text: "still broken"})
	resolve(w.c4, w.ana)
	// c5 stays open; c2 has two replies and is resolved the next day.
	w.c5 = customer(t, e, 5)
	queued(t, e, w.c5, w.teamA)
	w.c2 = work(2, w.teamA, w.ana, 2)
	e.now = w.start.Add(25 * time.Hour)
	// c6: c3's customer again, the next day, in a new conversation.
	if err := e.pool.QueryRow(ctx, `INSERT INTO conversations (contact_id, channel, team_id, created_at, last_activity_at)
		SELECT contact_id, channel, team_id, $2, $2 FROM conversations WHERE id = $1 RETURNING id`, w.c3, e.now).Scan(&w.c6); err != nil {
		t.Fatal(err)
	}
	resolve(w.c2, w.ana)
	e.now = e.now.Add(time.Hour)
	return w
}

func (w reportWorld) report(t *testing.T, role inbox.Role, agent int64, f inbox.ReportFilter) inbox.Report {
	t.Helper()
	v, err := w.e.store.ReportViewerOf(context.Background(), inbox.Agent{ID: agent, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.From, f.To = day, day.Add(48*time.Hour)
	r, err := w.e.store.As(v).Report(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportFirstContactRepeatAndBacklogByScopeAndFilter(t *testing.T) {
	t.Parallel()
	w := newReportWorld(t)
	backlog := func(r inbox.Report) []int64 {
		var out []int64
		for _, d := range r.Backlog {
			out = append(out, d.Open)
		}
		return out
	}
	total := func(r inbox.Report) int64 {
		var n int64
		for _, c := range r.Channels {
			n += c.N
		}
		return n
	}
	for _, tc := range []struct {
		name             string
		role             inbox.Role
		agent            int64
		f                inbox.ReportFilter
		convs            int64
		fcr              inbox.FirstContact
		repeat           inbox.Repeat
		backlog          []int64
		agents           int
		anaReplies       int64
		anaHandled       int64
		anaFirstResponse time.Duration
	}{
		// An admin sees both teams: c1 and c3 are resolved at first contact, c2 took two replies
		// and c4 was reopened; c3's customer came back in c6 and c4's reopened c4.
		{name: "admin", role: inbox.RoleAdmin, agent: w.admin, convs: 6,
			fcr: inbox.FirstContact{Resolved: 4, Single: 2}, repeat: inbox.Repeat{Resolved: 4, Returned: 2},
			backlog: []int64{2, 2}, agents: 4, anaReplies: 4, anaHandled: 3, anaFirstResponse: 10 * time.Minute},
		// Sue supervises team A only: c1, c2, c4, c5.
		{name: "supervisor of A", role: inbox.RoleSupervisor, agent: w.sue, convs: 4,
			fcr: inbox.FirstContact{Resolved: 3, Single: 1}, repeat: inbox.Repeat{Resolved: 3, Returned: 1},
			backlog: []int64{2, 1}, agents: 2, anaReplies: 4, anaHandled: 3, anaFirstResponse: 10 * time.Minute},
		{name: "admin, team B", role: inbox.RoleAdmin, agent: w.admin, f: inbox.ReportFilter{TeamID: w.teamB}, convs: 2,
			fcr: inbox.FirstContact{Resolved: 1, Single: 1}, repeat: inbox.Repeat{Resolved: 1, Returned: 1},
			backlog: []int64{0, 1}, agents: 1},
		// A supervisor asking for another team's figures gets none.
		{name: "supervisor of A, team B", role: inbox.RoleSupervisor, agent: w.sue, f: inbox.ReportFilter{TeamID: w.teamB},
			backlog: []int64{0, 0}, agents: 0},
		{name: "admin, agent ana", role: inbox.RoleAdmin, agent: w.admin, f: inbox.ReportFilter{AgentID: w.ana}, convs: 3,
			fcr: inbox.FirstContact{Resolved: 3, Single: 1}, repeat: inbox.Repeat{Resolved: 3, Returned: 1},
			backlog: []int64{1, 0}, agents: 1, anaReplies: 4, anaHandled: 3, anaFirstResponse: 10 * time.Minute},
		{name: "admin, chat", role: inbox.RoleAdmin, agent: w.admin, f: inbox.ReportFilter{Channel: inbox.ChannelChat},
			backlog: []int64{0, 0}, agents: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.report(t, tc.role, tc.agent, tc.f)
			if got := total(r); got != tc.convs {
				t.Errorf("conversations = %d, want %d", got, tc.convs)
			}
			if r.FirstContact != tc.fcr {
				t.Errorf("first contact = %+v, want %+v", r.FirstContact, tc.fcr)
			}
			if r.Repeat != tc.repeat {
				t.Errorf("repeat = %+v, want %+v", r.Repeat, tc.repeat)
			}
			if got := backlog(r); len(got) != 2 || got[0] != tc.backlog[0] || got[1] != tc.backlog[1] {
				t.Errorf("backlog = %v, want %v", got, tc.backlog)
			}
			if len(r.Agents) != tc.agents {
				t.Errorf("agents = %+v, want %d of them", r.Agents, tc.agents)
			}
			for _, a := range r.Agents {
				if a.AgentID == w.bob && tc.role == inbox.RoleSupervisor {
					t.Errorf("the supervisor of A sees bob of team B: %+v", a)
				}
				if a.AgentID != w.ana {
					continue
				}
				if a.Replies != tc.anaReplies || a.Handle.N != tc.anaHandled || a.FirstResponse.Median != tc.anaFirstResponse {
					t.Errorf("ana = %+v, want %d replies, %d handled, first response %s", a, tc.anaReplies, tc.anaHandled, tc.anaFirstResponse)
				}
			}
		})
	}
}

func TestReportHandleTimeRunsFromTheLastAssignment(t *testing.T) {
	t.Parallel()
	w := newReportWorld(t)
	r := w.report(t, inbox.RoleAdmin, w.admin, inbox.ReportFilter{TeamID: w.teamB})
	// c3 was assigned to bob at its creation, answered 10 minutes later, resolved 20 after.
	if len(r.Agents) != 1 || r.Agents[0].Handle != (inbox.Spread{N: 1, Median: 30 * time.Minute, P90: 30 * time.Minute}) {
		t.Fatalf("bob = %+v", r.Agents)
	}
	if _, err := w.e.store.As(inbox.Everyone()).Report(context.Background(), inbox.ReportFilter{From: w.start, To: w.start}); err == nil {
		t.Error("an empty period is accepted")
	}
}
