package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// insertProbe inserts through a real River client and, before the transaction commits, runs
// check on it; fail makes the insert fail instead.
type insertProbe struct {
	client *river.Client[pgx.Tx]
	check  func(tx pgx.Tx)
	fail   bool
}

func (p *insertProbe) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if p.fail {
		return nil, errors.New("probe: insert refused")
	}
	res, err := p.client.InsertTx(ctx, tx, args, opts)
	if err == nil && p.check != nil {
		p.check(tx)
	}
	return res, err
}

func insertOnly(t *testing.T, e *routingEnv) *river.Client[pgx.Tx] {
	t.Helper()
	c, err := river.NewClient(riverpgxv5.New(e.pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRouteAppliesRulesAndEnqueuesAssignInOneTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	billing := e.team(t, "Billing")
	support := e.team(t, "Support")
	in := e.inboxOf(t, "web", support.ID)
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "sms", Conditions: workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelSMS}},
		Actions: workflow.Actions{SetTags: []string{"text"}}}); err != nil {
		t.Fatal(err)
	}
	refunds, err := e.rules.Add(ctx, workflow.NewRule{Name: "angry refunds", Conditions: workflow.Conditions{Keywords: []string{"refund"}},
		SetTeam: "Billing", Actions: workflow.Actions{SetPriority: inbox.PriorityHigh, SetCategory: "complaint", SetTags: []string{"refund"}}})
	if err != nil {
		t.Fatal(err)
	}
	conv := e.message(t, in, "jane@example.com", "Order 1234", "I want a Refund now.")

	probe := &insertProbe{client: insertOnly(t, e)}
	checked := false
	probe.check = func(tx pgx.Tx) {
		checked = true
		job := rivertest.RequireInsertedTx[*riverpgxv5.Driver](ctx, t, tx, &workflow.AssignArgs{}, nil)
		if job.Args.ConversationID != conv.ConversationID {
			t.Errorf("assign job for conversation %d, want %d", job.Args.ConversationID, conv.ConversationID)
		}
		var team int64
		if err := tx.QueryRow(ctx, `SELECT team_id FROM conversations WHERE id = $1`, conv.ConversationID).Scan(&team); err != nil || team != billing.ID {
			t.Errorf("inside the transaction team = %d, %v", team, err)
		}
		// Outside, neither the change nor the job exists yet: they commit together.
		rivertest.RequireNotInserted[*riverpgxv5.Driver](ctx, t, riverpgxv5.New(e.pool), &workflow.AssignArgs{}, nil)
		if c := e.conversation(t, conv.ConversationID); c.TeamID == nil || *c.TeamID != support.ID {
			t.Errorf("outside the transaction team = %v, want the inbox's team %d", c.TeamID, support.ID)
		}
	}
	out, err := workflow.RouteWith(ctx, e.store, conv.ConversationID, probe)
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Fatal("route enqueued no assign job")
	}
	if len(out.Fired) != 1 || out.Fired[0].ID != refunds.ID {
		t.Fatalf("fired = %+v", out.Fired)
	}
	c := e.conversation(t, conv.ConversationID)
	if c.TeamID == nil || *c.TeamID != billing.ID || c.Priority != inbox.PriorityHigh || c.Category != "Complaint" ||
		!slices.Equal(c.Tags, []string{"refund"}) {
		t.Fatalf("routed conversation = %+v", c)
	}
	rivertest.RequireInserted[*riverpgxv5.Driver](ctx, t, riverpgxv5.New(e.pool), &workflow.AssignArgs{}, nil)
	var ruleID int64
	var ruleName string
	if err := e.pool.QueryRow(ctx, `SELECT (data->'rules'->0->>'id')::bigint, data->'rules'->0->>'name' FROM conversation_events
		WHERE conversation_id = $1 AND kind = 'routed' AND actor = 'system'`, conv.ConversationID).Scan(&ruleID, &ruleName); err != nil {
		t.Fatal(err)
	}
	if ruleID != refunds.ID || ruleName != "angry refunds" {
		t.Fatalf("routed audit names rule %d %q", ruleID, ruleName)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND routed_at IS NOT NULL`, conv.ConversationID); n != 1 {
		t.Fatal("conversation not marked routed")
	}

	// Routing again changes nothing.
	again, err := workflow.RouteWith(ctx, e.store, conv.ConversationID, &insertProbe{fail: true})
	if err != nil || len(again.Fired) != 0 {
		t.Fatalf("second route = %+v, %v", again, err)
	}
	if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind = 'routed'`, conv.ConversationID); n != 1 {
		t.Fatalf("routed audit rows = %d", n)
	}
}

func TestRouteRollsBackWhenAssignCannotBeEnqueued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	e.team(t, "Billing")
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "refunds", Conditions: workflow.Conditions{Keywords: []string{"refund"}},
		SetTeam: "Billing", Actions: workflow.Actions{SetPriority: inbox.PriorityUrgent, SetCategory: "complaint"}}); err != nil {
		t.Fatal(err)
	}
	conv := e.message(t, 0, "jane@example.com", "", "refund please")
	if _, err := workflow.RouteWith(ctx, e.store, conv.ConversationID, &insertProbe{fail: true}); err == nil {
		t.Fatal("route succeeded without its assign job")
	}
	c := e.conversation(t, conv.ConversationID)
	if c.TeamID != nil || c.Priority != inbox.PriorityNormal || c.Category != "" {
		t.Fatalf("a failed route left changes: %+v", c)
	}
	if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind <> 'status'`, conv.ConversationID) +
		e.count(t, `SELECT count(*) FROM conversations WHERE routed_at IS NOT NULL`); n != 0 {
		t.Fatalf("a failed route left %d audit rows or routed marks", n)
	}
}

func TestRouteKeepsTheInboxTeamWithoutARuleForIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	support := e.team(t, "Support")
	in := e.inboxOf(t, "web", support.ID)
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "urgent words", Conditions: workflow.Conditions{Keywords: []string{"outage"}},
		Actions: workflow.Actions{SetPriority: inbox.PriorityUrgent}}); err != nil {
		t.Fatal(err)
	}
	conv := e.message(t, in, "ops@example.com", "Outage!", "everything is down")
	out, err := workflow.RouteWith(ctx, e.store, conv.ConversationID, insertOnly(t, e))
	if err != nil || len(out.Fired) != 1 {
		t.Fatalf("route = %+v, %v", out, err)
	}
	c := e.conversation(t, conv.ConversationID)
	if c.TeamID == nil || *c.TeamID != support.ID || c.Priority != inbox.PriorityUrgent {
		t.Fatalf("conversation = %+v, want team %d and urgent", c, support.ID)
	}
}

func TestRouteUnknownConversation(t *testing.T) {
	t.Parallel()
	e := newRoutingEnv(t)
	_, err := workflow.RouteWith(context.Background(), e.store, 424242, insertOnly(t, e))
	if !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}
