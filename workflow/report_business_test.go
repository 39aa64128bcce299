package workflow

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// TestReportBusinessHoursFollowThePolicyCalendar answers a Monday 16:00 message on Tuesday at
// 10:00 and resolves it at 11:00 under a weekday 09:00-17:00 policy: 18 and 19 hours of wall
// clock, 2 and 3 business hours, stored when the clocks stop and read back by the report, of
// the conversations the viewer's report covers.
func TestReportBusinessHoursFollowThePolicyCalendar(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	support := env.team("support", alice)
	other := env.team("other")
	week, err := sla.ParseHours([]string{"mon-fri 09:00-17:00"})
	if err != nil {
		t.Fatal(err)
	}
	env.policy(NewPolicy{Name: "office hours", FirstResponse: 4 * time.Hour, Resolution: 8 * time.Hour,
		Calendar: sla.Calendar{Week: week}})
	env.advance(7 * time.Hour) // Monday 16:00
	conv := env.sms("+14155550101", "SM1", "help").ConversationID
	env.do(func(ctx context.Context, tx pgx.Tx) error {
		return env.store.SetTeamTx(ctx, tx, conv, support.ID, inbox.Actor{})
	})
	env.runDue()
	env.advance(18 * time.Hour) // Tuesday 10:00
	if _, err := env.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: alice.ID}, Text: "on it"}); err != nil {
		t.Fatal(err)
	}
	env.advance(time.Hour)
	if _, err := env.store.SetStatus(ctx, conv, inbox.StatusResolved, inbox.Actor{AgentID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if got := env.count(`SELECT business_secs FROM sla_clocks WHERE conversation_id = $1 AND target = 'first_response'`, conv); got != 7200 {
		t.Errorf("first response business_secs = %d, want 7200", got)
	}
	f := inbox.ReportFilter{From: slaEpoch, To: env.clock()}
	q, err := env.sla.Report(ctx, inbox.Everyone(), f)
	if err != nil {
		t.Fatal(err)
	}
	if want := (inbox.Spread{N: 1, Median: 2 * time.Hour, P90: 2 * time.Hour}); q.FirstResponse != want {
		t.Errorf("business first response = %+v, want %+v", q.FirstResponse, want)
	}
	if want := (inbox.Spread{N: 1, Median: 3 * time.Hour, P90: 3 * time.Hour}); q.Resolution != want {
		t.Errorf("business resolution = %+v, want %+v", q.Resolution, want)
	}
	r, err := env.store.As(inbox.Everyone()).Report(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if r.FirstResponse.Median != 18*time.Hour || r.Resolution.Median != 19*time.Hour {
		t.Errorf("wall clock = %+v / %+v, want 18h and 19h", r.FirstResponse, r.Resolution)
	}
	// Another team's figures, and a filter on another team, leave it out.
	for _, c := range []struct {
		v inbox.Viewer
		f inbox.ReportFilter
	}{{inbox.Viewer{AgentID: alice.ID + 100, TeamIDs: []int64{other.ID}}, f}, {inbox.Everyone(), inbox.ReportFilter{From: f.From, To: f.To, TeamID: other.ID}}} {
		q, err := env.sla.Report(ctx, c.v, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if q.FirstResponse.N != 0 || q.Resolution.N != 0 || q.Overall.Total() != 0 {
			t.Errorf("out of scope: %+v", q)
		}
	}
}
