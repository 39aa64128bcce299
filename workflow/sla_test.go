package workflow

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// TestSLAScenario follows one complaint through its whole life: it arrives by SMS, is filed and
// assigned, warns, breaches, escalates, is answered and resolved, gets a survey on the same
// channel, whose "4" is recorded as the score without reopening anything, and closes itself
// a week later.
func TestSLAScenario(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	carol := env.agent("carol", inbox.RoleAgent)
	support := env.team("support", alice)
	tier2 := env.team("tier2", carol)
	pol := env.policy(NewPolicy{Name: "support normal", TeamID: support.ID, Priority: inbox.PriorityNormal,
		FirstResponse: time.Hour, NextResponse: 30 * time.Minute, Resolution: 8 * time.Hour, EscalateTeamID: tier2.ID})
	fallback := env.policy(NewPolicy{Name: "default", FirstResponse: 2 * time.Hour, NextResponse: time.Hour,
		Resolution: 24 * time.Hour})

	// A complaint arrives; routing is not under test: file and assign it directly.
	res := env.sms("+14155550101", "SM1", "My order never arrived and nobody answers!")
	conv := res.ConversationID
	env.do(func(ctx context.Context, tx pgx.Tx) error {
		return env.store.SetTeamTx(ctx, tx, conv, support.ID, inbox.Actor{})
	})
	if _, err := env.store.Assign(ctx, conv, alice.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	first := env.clockOf(conv, sla.FirstResponse)
	if first.state != sla.Running || !first.due.Equal(slaEpoch.Add(time.Hour)) || !first.warn.Equal(slaEpoch.Add(48*time.Minute)) {
		t.Fatalf("first response clock = %s due %s warn %s, want running due 10:00 warn 09:48", first.state, at(first.due), at(first.warn))
	}
	if *first.policyID != pol.ID {
		t.Fatalf("policy %d, want the team's %d", *first.policyID, pol.ID)
	}

	// A note and an automatic message are not responses.
	env.advance(10 * time.Minute)
	if _, err := env.store.Note(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: alice.ID}, Text: "looking"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.Send(ctx, inbox.Reply{ConversationID: conv, Text: "We got your message.", Auto: "ack"}); err != nil {
		t.Fatal(err)
	}
	env.advance(38 * time.Minute) // 09:48: the warning
	if c := env.clockOf(conv, sla.FirstResponse); c.warned == nil || c.breached != nil {
		t.Fatalf("at 80%%: warned %s breached %s, want warned only", at(c.warned), at(c.breached))
	}
	if got := env.eventsOf(EventSLAWarning); len(got) != 1 || got[0].AssigneeID != alice.ID || got[0].TeamID != support.ID {
		t.Fatalf("warning events = %+v, want one for alice's team", got)
	}

	env.advance(12 * time.Minute) // 10:00: the breach
	var b Breach
	if err := env.pool.QueryRow(ctx, `SELECT id, target, due_at, breached_at, assignee_id, team_id, level FROM sla_breaches
		WHERE conversation_id = $1`, conv).Scan(&b.ID, &b.Target, &b.DueAt, &b.BreachedAt, &b.AssigneeID, &b.TeamID, &b.Level); err != nil {
		t.Fatalf("breach: %v", err)
	}
	if b.Target != sla.FirstResponse || !b.DueAt.Equal(slaEpoch.Add(time.Hour)) || *b.AssigneeID != alice.ID ||
		*b.TeamID != support.ID || b.Level != 1 {
		t.Fatalf("breach = %+v, want first response due 10:00 held by alice of support at level 1", b)
	}
	if got := env.eventsOf(EventSLABreach); len(got) != 1 || got[0].AssigneeID != alice.ID {
		t.Fatalf("breach events = %+v, want one naming alice", got)
	}
	if got := env.alerts.kinds(); !slices.Equal(got, []string{EventSLAWarning, EventSLABreach}) {
		t.Fatalf("alerts = %v", got)
	}
	if env.alerts.teams[1] != support.ID || env.alerts.alerts[1].AssigneeName != "alice" {
		t.Fatalf("breach alert to team %d for %q, want support and alice", env.alerts.teams[1], env.alerts.alerts[1].AssigneeName)
	}
	if n := env.count(`SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind = 'sla.breach'`, conv); n != 1 {
		t.Fatalf("%d breach audit entries, want 1", n)
	}

	env.advance(30 * time.Minute) // 10:30: still unanswered, level 2
	c := env.conversation(conv)
	if c.Priority != inbox.PriorityHigh || *c.TeamID != tier2.ID || *c.AssigneeID != carol.ID {
		t.Fatalf("after escalation: %s, team %d, assignee %d; want high, tier2, carol", c.Priority, *c.TeamID, *c.AssigneeID)
	}
	if got := env.eventsOf(EventSLAEscalated); len(got) != 1 {
		t.Fatalf("escalation events = %d, want 1", len(got))
	}
	// The new team has no policy of its own: the default one now measures the clocks.
	first = env.clockOf(conv, sla.FirstResponse)
	if *first.policyID != fallback.ID || first.breached == nil || first.level != 2 {
		t.Fatalf("first response after escalation: policy %d breached %s level %d", *first.policyID, at(first.breached), first.level)
	}

	env.advance(5 * time.Minute) // 10:35: carol answers
	if _, err := env.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: carol.ID},
		Text: "So sorry! A replacement ships today."}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if c := env.clockOf(conv, sla.FirstResponse); c.state != sla.Met {
		t.Fatalf("first response clock %s after the reply, want met", c.state)
	}
	var overdue int64
	if err := env.pool.QueryRow(ctx, `SELECT overdue_ms FROM sla_breaches WHERE id = $1`, b.ID).Scan(&overdue); err != nil {
		t.Fatal(err)
	}
	if overdue != (35 * time.Minute).Milliseconds() {
		t.Fatalf("overdue %d ms, want 35 minutes", overdue)
	}

	// The customer writes back: the next-response clock runs, and carol meets it.
	env.advance(5 * time.Minute)
	env.sms("+14155550101", "SM2", "Thanks, which carrier?")
	env.runDue()
	if c := env.clockOf(conv, sla.NextResponse); c.state != sla.Running {
		t.Fatalf("next response clock %s, want running", c.state)
	}
	env.advance(10 * time.Minute)
	if _, err := env.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: carol.ID},
		Text: "UPS, tracking follows.", SetStatus: inbox.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	env.runDue()
	if c := env.clockOf(conv, sla.NextResponse); c.state != sla.Met || c.breached != nil {
		t.Fatalf("next response clock %s breached %s, want met in time", c.state, at(c.breached))
	}
	if c := env.clockOf(conv, sla.Resolution); c.state != sla.Met {
		t.Fatalf("resolution clock %s, want met", c.state)
	}

	// The survey went out on the customer's channel, as an automatic message.
	var survey *channels.Outgoing
	for _, o := range env.sent.sent() {
		if o.Message.Auto == AutoSurvey {
			survey = &o
		}
	}
	if survey == nil || survey.Message.Channel != inbox.ChannelSMS || !strings.Contains(survey.Message.Text, "Reply with a number from 1") {
		t.Fatalf("survey sent = %+v, want an SMS asking for 1-5", survey)
	}
	if got := env.eventsOf(EventSurveySent); len(got) != 1 || got[0].Channel != inbox.ChannelSMS {
		t.Fatalf("survey.sent events = %+v", got)
	}

	// The customer answers "4": recorded as the score, not a new complaint, nothing reopened.
	env.advance(time.Hour)
	ans := env.sms("+14155550101", "SM3", " 4 ")
	if ans.ConversationID != conv || ans.NewConversation || ans.ThreadedBy != AutoSurveyAnswer {
		t.Fatalf("answer ingested as %+v, want kept in conversation %d as a survey answer", ans, conv)
	}
	env.runDue()
	if c := env.conversation(conv); c.Status != inbox.StatusResolved {
		t.Fatalf("status %s after the answer, want still resolved", c.Status)
	}
	var score int
	var via, category string
	var slaMet bool
	var resolvedBy int64
	if err := env.pool.QueryRow(ctx, `SELECT score, answered_via, category, sla_met, resolved_by FROM surveys
		WHERE conversation_id = $1`, conv).Scan(&score, &via, &category, &slaMet, &resolvedBy); err != nil {
		t.Fatal(err)
	}
	if score != 4 || via != "sms" || slaMet || resolvedBy != carol.ID {
		t.Fatalf("survey = score %d via %q sla met %v resolved by %d; want 4 by sms, SLA missed, carol", score, via, slaMet, resolvedBy)
	}
	m, err := env.store.GetMessage(ctx, ans.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Auto != AutoSurveyAnswer || m.Direction != inbox.DirectionInbound {
		t.Fatalf("answer message %s auto %q, want inbound survey-answer", m.Direction, m.Auto)
	}
	if n := env.count(`SELECT count(*) FROM conversations`); n != 1 {
		t.Fatalf("%d conversations, want 1", n)
	}
	if env.eventsOf(EventSurveyAnswered)[0].Data["score"] != 4 {
		t.Fatalf("survey.answered event = %+v", env.eventsOf(EventSurveyAnswered))
	}
	// A redelivered answer changes nothing.
	if again := env.sms("+14155550101", "SM3", " 4 "); !again.Duplicate || again.MessageID != ans.MessageID {
		t.Fatalf("redelivery = %+v, want the duplicate", again)
	}

	// Resolved for a week: closed.
	env.advance(6*24*time.Hour + 20*time.Hour)
	if c := env.conversation(conv); c.Status != inbox.StatusResolved {
		t.Fatalf("status %s before the week is over, want resolved", c.Status)
	}
	env.advance(4 * time.Hour)
	if c := env.conversation(conv); c.Status != inbox.StatusClosed {
		t.Fatalf("status %s after a week resolved, want closed", c.Status)
	}

	page, err := env.sla.Breaches(ctx, BreachFilter{From: slaEpoch, To: env.clock()})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Breaches) != 1 || page.Breaches[0].Level != 2 || page.Breaches[0].MetAt == nil {
		t.Fatalf("breaches = %+v, want the one, met, at level 2", page.Breaches)
	}
	if board, err := env.sla.Board(ctx, BoardFilter{}); err != nil || len(board.Entries) != 0 {
		t.Fatalf("board = %+v, %v; want empty once closed", board, err)
	}
}
