package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// ruleNames lists each set's rule names in evaluation order, as "set:rule".
func ruleNames(t *testing.T, rules *workflow.Rules) []string {
	t.Helper()
	sets, err := rules.Sets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sets {
		for i, r := range s.Rules {
			if r.Position != i+1 || r.RuleSet != s.Name {
				t.Fatalf("rule %q of %q at position %d, index %d", r.Name, s.Name, r.Position, i)
			}
			out = append(out, s.Name+":"+r.Name)
		}
	}
	return out
}

func TestRulesAddOrderAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	billing := e.team(t, "Billing")
	add := func(nr workflow.NewRule) workflow.Rule {
		t.Helper()
		r, err := e.rules.Add(ctx, nr)
		if err != nil {
			t.Fatalf("add %q: %v", nr.Name, err)
		}
		return r
	}
	refunds := add(workflow.NewRule{Name: "refunds", Conditions: workflow.Conditions{Keywords: []string{" Refund ", "refund", "charge back"},
		Channels: []inbox.Channel{inbox.ChannelEmail}}, SetTeam: "billing",
		Actions: workflow.Actions{SetPriority: inbox.PriorityHigh, SetCategory: "Complaint", SetTags: []string{"Money"}}})
	if refunds.SetTeamID != billing.ID || refunds.Position != 1 || refunds.RuleSet != workflow.DefaultRuleSet ||
		!slices.Equal(refunds.Keywords, []string{"refund", "charge back"}) || refunds.SetCategory != "Complaint" ||
		!slices.Equal(refunds.SetTags, []string{"money"}) {
		t.Fatalf("stored rule = %+v", refunds)
	}
	add(workflow.NewRule{Name: "vip", Conditions: workflow.Conditions{Tiers: []string{"Gold"}}, Actions: workflow.Actions{SetTeamID: billing.ID}})
	add(workflow.NewRule{Name: "first", Position: 1, Actions: workflow.Actions{SetTags: []string{"seen"}}})
	add(workflow.NewRule{Name: "middle", Position: 3, Actions: workflow.Actions{SetTags: []string{"x"}}})
	add(workflow.NewRule{Name: "tag all", RuleSet: "tagging", Actions: workflow.Actions{SetTags: []string{"y"}}})
	add(workflow.NewRule{Name: "far", Position: 99, Actions: workflow.Actions{SetTags: []string{"z"}}})
	want := []string{"default:first", "default:refunds", "default:middle", "default:vip", "default:far", "tagging:tag all"}
	if got := ruleNames(t, e.rules); !slices.Equal(got, want) {
		t.Fatalf("rules = %v, want %v", got, want)
	}

	// The new set was created in first-match mode after the default one; its mode changes.
	set, err := e.rules.SetRuleSet(ctx, workflow.RuleSetChange{Name: "tagging", Mode: workflow.ModeAll})
	if err != nil || set.Mode != workflow.ModeAll || len(set.Rules) != 1 {
		t.Fatalf("set = %+v, %v", set, err)
	}
	if _, err := e.rules.SetRuleSet(ctx, workflow.RuleSetChange{Name: "tagging", Position: 1}); err != nil {
		t.Fatal(err)
	}
	sets, err := e.rules.Sets(ctx)
	if err != nil || len(sets) != 2 || sets[0].Name != "tagging" || sets[0].Mode != workflow.ModeAll || sets[0].Position != 1 ||
		sets[1].Name != workflow.DefaultRuleSet || sets[1].Position != 2 {
		t.Fatalf("sets = %+v, %v", sets, err)
	}
	if _, err := e.rules.SetRuleSet(ctx, workflow.RuleSetChange{Name: "tagging", Mode: "some"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("bad mode: %v", err)
	}

	if err := e.rules.Delete(ctx, refunds.ID); err != nil {
		t.Fatal(err)
	}
	want = []string{"tagging:tag all", "default:first", "default:middle", "default:vip", "default:far"}
	if got := ruleNames(t, e.rules); !slices.Equal(got, want) {
		t.Fatalf("after delete rules = %v, want %v", got, want)
	}
	if err := e.rules.Delete(ctx, refunds.ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("delete again: %v", err)
	}
}

func TestRulesAddRefusesBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	e.team(t, "Billing")
	act := workflow.Actions{SetTags: []string{"x"}}
	tests := []struct {
		name  string
		rule  workflow.NewRule
		field string
	}{
		{"no name", workflow.NewRule{Actions: act}, "name"},
		{"no action", workflow.NewRule{Name: "idle", Conditions: workflow.Conditions{Keywords: []string{"x"}}}, ""},
		{"unknown team name", workflow.NewRule{Name: "r", SetTeam: "Sales"}, "set_team"},
		{"unknown team id", workflow.NewRule{Name: "r", Actions: workflow.Actions{SetTeamID: 424242}}, "set_team_id"},
		{"unknown channel", workflow.NewRule{Name: "r", Actions: act, Conditions: workflow.Conditions{Channels: []inbox.Channel{"fax"}}}, "channels"},
		{"unknown priority", workflow.NewRule{Name: "r", Actions: act, Conditions: workflow.Conditions{Priorities: []inbox.Priority{"meh"}}}, "priorities"},
		{"bad set priority", workflow.NewRule{Name: "r", Actions: workflow.Actions{SetPriority: "asap"}}, "set_priority"},
		{"keyword without a word", workflow.NewRule{Name: "r", Actions: act, Conditions: workflow.Conditions{Keywords: []string{"?!"}}}, "keywords"},
		{"bad tag", workflow.NewRule{Name: "r", Actions: workflow.Actions{SetTags: []string{"a,b"}}}, "set_tags"},
		{"unknown inbox", workflow.NewRule{Name: "r", Actions: act, Conditions: workflow.Conditions{InboxIDs: []int64{99}}}, "inbox_ids"},
		{"negative position", workflow.NewRule{Name: "r", Actions: act, Position: -1}, "position"},
	}
	for _, tt := range tests {
		_, err := e.rules.Add(ctx, tt.rule)
		var ve *inbox.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field {
			t.Errorf("%s: err = %v, want a validation error on %q", tt.name, err, tt.field)
		}
	}
	if got := ruleNames(t, e.rules); len(got) != 0 {
		t.Fatalf("refused rules were stored: %v", got)
	}
}
