package workflow_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// routedOutcome is what the routing of one conversation leaves behind, as a test compares it.
type routedOutcome struct {
	Team     int64
	Priority inbox.Priority
	Routed   bool
	Assigned bool
	Audit    []string // the routing's entries: actor, kind and data, in order
	Clocks   []string // target, state and due instant of each SLA clock
}

// TestRoutingAtTheIngestRecordsWhatATriageRecords ingests the same first messages into two
// databases, one whose conversations a triage job routes and one routing at the ingest as the
// server does, and works their jobs: every conversation must end with the same team, priority,
// routing audit entries (the team and priority changes from what it came in with, and the rules
// that fired) and SLA clocks, routed in both and assigned when it has a team. The rules cover a keyword setting a
// team and a priority, a second set of mode "all" adding a team change, an inbox without a team
// and a message no rule matches.
func TestRoutingAtTheIngestRecordsWhatATriageRecords(t *testing.T) {
	t.Parallel()
	messages := []struct{ inbox, text string }{
		{"support", "About my invoice, please"},
		{"support", "Where is my parcel?"},
		{"none", "My invoice is wrong and I want a refund"},
		{"support", "I want a refund for the outage"},
		{"none", "Hello there"},
		{"support", "Total outage here"},
	}
	var outcomes [2][]routedOutcome
	for i, atIngest := range []bool{false, true} {
		ctx := context.Background()
		e := newRoutingEnvWith(t, atIngest)
		ann, ben, cy := e.agent(t, "ann", 100), e.agent(t, "ben", 100), e.agent(t, "cy", 100)
		e.team(t, "Billing", ann)
		e.team(t, "Sales", ben)
		support := e.team(t, "Support", cy)
		inboxes := map[string]int64{"support": e.inboxOf(t, "web", support.ID), "none": e.inboxOf(t, "bare", 0)}
		for _, r := range []workflow.NewRule{
			{Name: "invoices", Conditions: workflow.Conditions{Keywords: []string{"invoice"}}, SetTeam: "Billing",
				Actions: workflow.Actions{SetPriority: inbox.PriorityHigh}},
			{Name: "outages", Conditions: workflow.Conditions{Keywords: []string{"outage"}},
				Actions: workflow.Actions{SetPriority: inbox.PriorityUrgent}},
			{Name: "refunds", RuleSet: "money", Conditions: workflow.Conditions{Keywords: []string{"refund"}}, SetTeam: "Sales"},
			{Name: "web refunds", RuleSet: "money", Conditions: workflow.Conditions{InboxIDs: []int64{inboxes["support"]},
				Keywords: []string{"refund"}}, Actions: workflow.Actions{SetPriority: inbox.PriorityLow}},
		} {
			if _, err := e.rules.Add(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.rules.SetRuleSet(ctx, workflow.RuleSetChange{Name: "money", Mode: workflow.ModeAll}); err != nil {
			t.Fatal(err)
		}
		if _, err := workflow.NewSLA(e.pool, e.store).CreatePolicy(ctx, workflow.NewPolicy{Name: "all",
			FirstResponse: time.Hour, Resolution: 8 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		drain := e.work(t, 2)
		var ids []int64
		for n, m := range messages {
			ids = append(ids, e.message(t, inboxes[m.inbox], fmt.Sprintf("c%d@example.com", n), "", m.text).ConversationID)
		}
		drain("sla_compute")
		for _, id := range ids {
			outcomes[i] = append(outcomes[i], e.outcome(t, id))
		}
		if triaged := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage'`); atIngest && triaged != 0 {
			t.Errorf("routed at the ingest: %d triage jobs, want 0", triaged)
		}
	}
	for n := range messages {
		triaged, ingested := outcomes[0][n], outcomes[1][n]
		if !triaged.Routed || triaged.Assigned != (triaged.Team != 0) || len(triaged.Clocks) == 0 {
			t.Errorf("message %d, triaged: %+v, want routed, with clocks, and assigned when in a team", n, triaged)
		}
		if !reflect.DeepEqual(triaged, ingested) {
			t.Errorf("message %d %q:\n triaged            %+v\n routed at ingest   %+v", n, messages[n].text, triaged, ingested)
		}
	}
}

// TestRulesTheIngestCannotDecideLeaveTheRoutingToTheTriage: a rule that reads the customer's
// profile (here their tier, which a company found by their address's domain may give a new
// customer), or a decision that adds tags, is not taken at the ingest: the conversation is
// written unrouted with a triage job, which routes it as before.
func TestRulesTheIngestCannotDecideLeaveTheRoutingToTheTriage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		rule workflow.NewRule
		want func(inbox.Conversation) bool
	}{
		{"a tier condition", workflow.NewRule{Name: "gold", Conditions: workflow.Conditions{Tiers: []string{"gold"}},
			Actions: workflow.Actions{SetPriority: inbox.PriorityUrgent}},
			func(c inbox.Conversation) bool { return c.Priority == inbox.PriorityNormal }},
		{"a decision with tags", workflow.NewRule{Name: "tagged", Conditions: workflow.Conditions{Keywords: []string{"parcel"}},
			Actions: workflow.Actions{SetTags: []string{"shipping"}, SetPriority: inbox.PriorityHigh}},
			func(c inbox.Conversation) bool {
				return c.Priority == inbox.PriorityHigh && strings.Join(c.Tags, ",") == "shipping"
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newRoutingEnvWith(t, true)
			support := e.team(t, "Support", e.agent(t, "cy", 10))
			if _, err := e.rules.Add(ctx, c.rule); err != nil {
				t.Fatal(err)
			}
			id := e.message(t, e.inboxOf(t, "web", support.ID), "jane@example.com", "", "Where is my parcel?").ConversationID
			if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND routed_at IS NULL`, id); n != 1 {
				t.Fatalf("the conversation was written routed")
			}
			if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage' AND args->'conversation_ids' @> to_jsonb(ARRAY[$1::bigint])`, id); n != 1 {
				t.Fatalf("%d triage jobs for it, want 1", n)
			}
			e.work(t, 2)()
			if conv := e.conversation(t, id); !c.want(conv) || conv.AssigneeID == nil {
				t.Errorf("after its triage: %+v", conv)
			}
		})
	}
}

// outcome reads what the routing of conversation id left behind.
func (e *routingEnv) outcome(t testing.TB, id int64) routedOutcome {
	t.Helper()
	ctx := context.Background()
	c := e.conversation(t, id)
	o := routedOutcome{Priority: c.Priority, Assigned: c.AssigneeID != nil}
	if c.TeamID != nil {
		o.Team = *c.TeamID
	}
	o.Routed = e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND routed_at IS NOT NULL`, id) == 1
	read := func(sql string) []string {
		rows, err := e.pool.Query(ctx, sql, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	o.Audit = read(`SELECT actor || ' ' || kind || ' ' || data::text FROM conversation_events
		WHERE conversation_id = $1 AND kind IN ('team', 'priority', 'routed') ORDER BY id`)
	o.Clocks = read(`SELECT target || ' ' || state || ' ' || coalesce(due_at::text, '-') FROM sla_clocks
		WHERE conversation_id = $1 ORDER BY target`)
	return o
}
