package workflow_test

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	const billing, vip, triage = 1, 2, 3
	email := workflow.Facts{InboxID: 10, Channel: inbox.ChannelEmail, Subject: "Question about my invoice",
		Text: "Hello, I want a REFUND, please!", Priority: inbox.PriorityNormal, Tier: "Gold", ContactTags: []string{"beta"}}
	sms := workflow.Facts{InboxID: 20, Channel: inbox.ChannelSMS, Text: "my order never came. refunds?", Priority: inbox.PriorityHigh}
	rule := func(id int64, name string, when workflow.Conditions, then workflow.Actions) workflow.Rule {
		return workflow.Rule{ID: id, Name: name, Conditions: when, Actions: then}
	}
	first := func(rules ...workflow.Rule) []workflow.RuleSet {
		return []workflow.RuleSet{{Name: "default", Mode: workflow.ModeFirst, Rules: rules}}
	}
	all := func(rules ...workflow.Rule) []workflow.RuleSet {
		return []workflow.RuleSet{{Name: "default", Mode: workflow.ModeAll, Rules: rules}}
	}
	tests := []struct {
		name  string
		sets  []workflow.RuleSet
		facts workflow.Facts
		want  workflow.Outcome
		fired []string
	}{
		{"no rules", nil, email, workflow.Outcome{}, nil},
		{"keyword whole word, any case",
			first(rule(1, "refunds", workflow.Conditions{Keywords: []string{"refund"}}, workflow.Actions{SetTeamID: billing})),
			email, workflow.Outcome{TeamID: billing}, []string{"refunds"}},
		{"keyword is not a prefix",
			first(rule(1, "refunds", workflow.Conditions{Keywords: []string{"refund"}}, workflow.Actions{SetTeamID: billing})),
			sms, workflow.Outcome{}, nil},
		{"keyword in the subject",
			first(rule(1, "invoices", workflow.Conditions{Keywords: []string{"Invoice"}}, workflow.Actions{SetCategory: "billing"})),
			email, workflow.Outcome{Category: "billing"}, []string{"invoices"}},
		{"keyword phrase across punctuation",
			first(rule(1, "lost", workflow.Conditions{Keywords: []string{"order never came"}}, workflow.Actions{SetPriority: inbox.PriorityUrgent})),
			sms, workflow.Outcome{Priority: inbox.PriorityUrgent}, []string{"lost"}},
		{"keyword phrase out of order does not match",
			first(rule(1, "lost", workflow.Conditions{Keywords: []string{"came never"}}, workflow.Actions{SetPriority: inbox.PriorityUrgent})),
			sms, workflow.Outcome{}, nil},
		{"any keyword of the list",
			first(rule(1, "money", workflow.Conditions{Keywords: []string{"chargeback", "refunds"}}, workflow.Actions{SetTeamID: billing})),
			sms, workflow.Outcome{TeamID: billing}, []string{"money"}},
		{"channel",
			first(rule(1, "texts", workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelSMS, inbox.ChannelChat}}, workflow.Actions{SetTeamID: triage})),
			sms, workflow.Outcome{TeamID: triage}, []string{"texts"}},
		{"other channel",
			first(rule(1, "texts", workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelSMS}}, workflow.Actions{SetTeamID: triage})),
			email, workflow.Outcome{}, nil},
		{"inbox",
			first(rule(1, "support@", workflow.Conditions{InboxIDs: []int64{10}}, workflow.Actions{SetTags: []string{"mail"}})),
			email, workflow.Outcome{Tags: []string{"mail"}}, []string{"support@"}},
		{"tier ignores case",
			first(rule(1, "gold", workflow.Conditions{Tiers: []string{"gold", "platinum"}}, workflow.Actions{SetTeamID: vip})),
			email, workflow.Outcome{TeamID: vip}, []string{"gold"}},
		{"tier missing",
			first(rule(1, "gold", workflow.Conditions{Tiers: []string{"gold"}}, workflow.Actions{SetTeamID: vip})),
			sms, workflow.Outcome{}, nil},
		{"contact tag",
			first(rule(1, "testers", workflow.Conditions{ContactTags: []string{"alpha", "beta"}}, workflow.Actions{SetTags: []string{"tester"}})),
			email, workflow.Outcome{Tags: []string{"tester"}}, []string{"testers"}},
		{"priority",
			first(rule(1, "hot", workflow.Conditions{Priorities: []inbox.Priority{inbox.PriorityHigh, inbox.PriorityUrgent}}, workflow.Actions{SetTeamID: vip})),
			sms, workflow.Outcome{TeamID: vip}, []string{"hot"}},
		{"every condition must hold",
			first(rule(1, "gold refunds", workflow.Conditions{Tiers: []string{"gold"}, Keywords: []string{"refund"}, Channels: []inbox.Channel{inbox.ChannelSMS}},
				workflow.Actions{SetTeamID: vip})),
			email, workflow.Outcome{}, nil},
		{"first match stops at the first rule that matches",
			first(
				rule(1, "sms only", workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelSMS}}, workflow.Actions{SetTeamID: triage}),
				rule(2, "refunds", workflow.Conditions{Keywords: []string{"refund"}}, workflow.Actions{SetTeamID: billing, SetTags: []string{"refund"}}),
				rule(3, "gold", workflow.Conditions{Tiers: []string{"gold"}}, workflow.Actions{SetTeamID: vip, SetPriority: inbox.PriorityHigh}),
			),
			email, workflow.Outcome{TeamID: billing, Tags: []string{"refund"}}, []string{"refunds"}},
		{"all matches apply in order, later ones win",
			all(
				rule(1, "sms only", workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelSMS}}, workflow.Actions{SetTeamID: triage}),
				rule(2, "refunds", workflow.Conditions{Keywords: []string{"refund"}}, workflow.Actions{SetTeamID: billing, SetTags: []string{"refund"}, SetCategory: "money"}),
				rule(3, "gold", workflow.Conditions{Tiers: []string{"gold"}}, workflow.Actions{SetTeamID: vip, SetPriority: inbox.PriorityHigh, SetTags: []string{"vip", "refund"}}),
			),
			email, workflow.Outcome{TeamID: vip, Priority: inbox.PriorityHigh, Category: "money", Tags: []string{"refund", "vip"}},
			[]string{"refunds", "gold"}},
		{"a later rule sees the priority an earlier one set",
			all(
				rule(1, "gold", workflow.Conditions{Tiers: []string{"gold"}}, workflow.Actions{SetPriority: inbox.PriorityUrgent}),
				rule(2, "urgent", workflow.Conditions{Priorities: []inbox.Priority{inbox.PriorityUrgent}}, workflow.Actions{SetTeamID: vip}),
			),
			email, workflow.Outcome{TeamID: vip, Priority: inbox.PriorityUrgent}, []string{"gold", "urgent"}},
		{"sets run in order, each by its mode",
			[]workflow.RuleSet{
				{Name: "triage", Mode: workflow.ModeFirst, Rules: []workflow.Rule{
					rule(1, "refunds", workflow.Conditions{Keywords: []string{"refund"}}, workflow.Actions{SetTeamID: billing}),
					rule(2, "everything", workflow.Conditions{}, workflow.Actions{SetTeamID: triage}),
				}},
				{Name: "tagging", Mode: workflow.ModeAll, Rules: []workflow.Rule{
					rule(3, "mail", workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelEmail}}, workflow.Actions{SetTags: []string{"mail"}}),
					rule(4, "gold", workflow.Conditions{Tiers: []string{"gold"}}, workflow.Actions{SetTags: []string{"gold"}}),
				}},
			},
			email, workflow.Outcome{TeamID: billing, Tags: []string{"mail", "gold"}}, []string{"refunds", "mail", "gold"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := workflow.Match(tt.sets, tt.facts)
			var fired []string
			for _, f := range got.Fired {
				fired = append(fired, f.Name)
			}
			got.Fired = nil
			if got.TeamID != tt.want.TeamID || got.Priority != tt.want.Priority || got.Category != tt.want.Category ||
				!slices.Equal(got.Tags, tt.want.Tags) {
				t.Errorf("outcome = %+v, want %+v", got, tt.want)
			}
			if !slices.Equal(fired, tt.fired) {
				t.Errorf("fired = %v, want %v", fired, tt.fired)
			}
		})
	}
}

func TestMatchNamesTheFiredRuleAndSet(t *testing.T) {
	t.Parallel()
	sets := []workflow.RuleSet{{Name: "vip desk", Mode: workflow.ModeFirst, Rules: []workflow.Rule{
		{ID: 42, Name: "gold", Conditions: workflow.Conditions{Tiers: []string{"gold"}}, Actions: workflow.Actions{SetTeamID: 7}},
	}}}
	got := workflow.Match(sets, workflow.Facts{Tier: "gold"})
	want := []workflow.Fired{{ID: 42, Name: "gold", RuleSet: "vip desk"}}
	if !slices.Equal(got.Fired, want) {
		t.Fatalf("fired = %+v, want %+v", got.Fired, want)
	}
}
