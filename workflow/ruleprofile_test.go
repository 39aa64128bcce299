package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestMatchProfile covers the conditions on the customer's profile: company and typed
// attributes, alone and with the others.
func TestMatchProfile(t *testing.T) {
	t.Parallel()
	const acme, globex = 5, 6
	ent := workflow.Facts{Channel: inbox.ChannelEmail, Tier: "gold", CompanyID: acme,
		Attributes: map[string]any{"plan": "Enterprise", "orders": 12.0, "renews": "2027-01-15", "beta": true}}
	bare := workflow.Facts{Channel: inbox.ChannelEmail}
	attr := func(key string, op workflow.AttrOp, values ...any) workflow.AttrCondition {
		return workflow.AttrCondition{Key: key, Op: op, Values: values}
	}
	tests := []struct {
		name  string
		when  workflow.Conditions
		facts workflow.Facts
		want  bool
	}{
		{"company", workflow.Conditions{CompanyIDs: []int64{globex, acme}}, ent, true},
		{"other company", workflow.Conditions{CompanyIDs: []int64{globex}}, ent, false},
		{"no company", workflow.Conditions{CompanyIDs: []int64{acme}}, bare, false},
		{"text equals, ignoring case", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("plan", workflow.AttrEq, "enterprise")}}, ent, true},
		{"text differs", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("plan", workflow.AttrEq, "free")}}, ent, false},
		{"one of", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("plan", workflow.AttrIn, "pro", "enterprise")}}, ent, true},
		{"number at least", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("orders", workflow.AttrGte, 12.0)}}, ent, true},
		{"number more than", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("orders", workflow.AttrGt, 12.0)}}, ent, false},
		{"number less than", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("orders", workflow.AttrLt, 100.0)}}, ent, true},
		{"date before", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("renews", workflow.AttrLt, "2027-02-01")}}, ent, true},
		{"date on or after", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("renews", workflow.AttrGte, "2027-02-01")}}, ent, false},
		{"boolean", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("beta", workflow.AttrEq, true)}}, ent, true},
		{"a number never equals text", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("orders", workflow.AttrEq, "12")}}, ent, false},
		{"no value never matches", workflow.Conditions{Attributes: []workflow.AttrCondition{attr("orders", workflow.AttrLt, 100.0)}}, bare, false},
		{"every attribute condition must hold", workflow.Conditions{Attributes: []workflow.AttrCondition{
			attr("plan", workflow.AttrEq, "enterprise"), attr("orders", workflow.AttrGt, 50.0)}}, ent, false},
		{"tier, company and attribute together", workflow.Conditions{Tiers: []string{"gold"}, CompanyIDs: []int64{acme},
			Attributes: []workflow.AttrCondition{attr("plan", workflow.AttrEq, "enterprise")}}, ent, true},
	}
	for _, tt := range tests {
		sets := []workflow.RuleSet{{Name: "default", Mode: workflow.ModeFirst, Rules: []workflow.Rule{
			{ID: 1, Name: tt.name, Conditions: tt.when, Actions: workflow.Actions{SetPriority: inbox.PriorityHigh}}}}}
		if got := len(workflow.Match(sets, tt.facts).Fired) == 1; got != tt.want {
			t.Errorf("%s: matched = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// defineAttrs adds contact attribute definitions.
func defineAttrs(t *testing.T, store *inbox.Store, defs ...inbox.AttributeDef) {
	t.Helper()
	for _, d := range defs {
		d.Object = inbox.AttrContact
		if _, err := store.SaveAttributeDef(context.Background(), d, inbox.CLIActor()); err != nil {
			t.Fatal(err)
		}
	}
}

var profileDefs = []inbox.AttributeDef{
	{Key: "plan", Label: "Plan", Type: inbox.AttrList, Options: []string{"free", "pro", "enterprise"}},
	{Key: "orders", Label: "Orders", Type: inbox.AttrNumber},
	{Key: "renews", Label: "Renews", Type: inbox.AttrDate},
	{Key: "beta", Label: "Beta", Type: inbox.AttrBoolean},
	{Key: "note", Label: "Note", Type: inbox.AttrText},
}

func TestRulesProfileConditionsAreTypedAndChecked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	defineAttrs(t, e.store, profileDefs...)
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Acme")}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.rules.Add(ctx, workflow.NewRule{Name: "enterprise", Companies: []string{"ACME"},
		Conditions: workflow.Conditions{Attributes: []workflow.AttrCondition{
			{Key: "plan", Value: "enterprise"}, {Key: "orders", Op: "GTE", Value: "10"}, {Key: "beta", Op: "eq", Values: []any{"true"}}}},
		Actions: workflow.Actions{SetPriority: inbox.PriorityHigh}})
	if err != nil {
		t.Fatal(err)
	}
	stored := ruleByName(t, e.rules, "enterprise")
	for _, got := range []workflow.Rule{r, stored} {
		if !slices.Equal(got.CompanyIDs, []int64{acme.ID}) || len(got.Attributes) != 3 ||
			got.Attributes[0].Op != workflow.AttrEq || got.Attributes[0].Values[0] != "enterprise" ||
			got.Attributes[1].Op != workflow.AttrGte || got.Attributes[1].Values[0] != 10.0 ||
			got.Attributes[2].Values[0] != true || got.Attributes[0].Value != nil {
			t.Fatalf("rule = %+v", got)
		}
	}

	act := workflow.Actions{SetTags: []string{"x"}}
	bad := []struct {
		name  string
		cond  workflow.AttrCondition
		field string
	}{
		{"undefined attribute", workflow.AttrCondition{Key: "shoe_size", Value: "9"}, "attributes[0].key"},
		{"order on text", workflow.AttrCondition{Key: "note", Op: workflow.AttrLt, Value: "b"}, "attributes[0].op"},
		{"unknown op", workflow.AttrCondition{Key: "orders", Op: "near", Value: "1"}, "attributes[0].op"},
		{"not a number", workflow.AttrCondition{Key: "orders", Op: workflow.AttrGt, Value: "many"}, "attributes[0].values"},
		{"not an option", workflow.AttrCondition{Key: "plan", Value: "gold"}, "attributes[0].values"},
		{"not a date", workflow.AttrCondition{Key: "renews", Op: workflow.AttrLt, Value: "soon"}, "attributes[0].values"},
		{"two values for eq", workflow.AttrCondition{Key: "plan", Values: []any{"free", "pro"}}, "attributes[0].values"},
		{"in without values", workflow.AttrCondition{Key: "plan", Op: workflow.AttrIn}, "attributes[0].values"},
	}
	for _, tt := range bad {
		_, err := e.rules.Add(ctx, workflow.NewRule{Name: tt.name, Actions: act,
			Conditions: workflow.Conditions{Attributes: []workflow.AttrCondition{tt.cond}}})
		var ve *inbox.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field {
			t.Errorf("%s: err = %v, want a validation error on %q", tt.name, err, tt.field)
		}
	}
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "nobody", Actions: act, Companies: []string{"Initech"}}); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("unknown company name: %v", err)
	}
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "nobody", Actions: act, Conditions: workflow.Conditions{CompanyIDs: []int64{9999}}}); !errors.Is(err, inbox.ErrInvalid) {
		t.Errorf("unknown company id: %v", err)
	}
	if got := ruleNames(t, e.rules); !slices.Equal(got, []string{"default:enterprise"}) {
		t.Fatalf("refused rules were stored: %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// ruleByName finds a stored rule.
func ruleByName(t *testing.T, rules *workflow.Rules, name string) workflow.Rule {
	t.Helper()
	sets, err := rules.Sets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		for _, r := range s.Rules {
			if r.Name == name {
				return r
			}
		}
	}
	t.Fatalf("no rule %q", name)
	return workflow.Rule{}
}

func TestRulesUpdateReplacesAndMoves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	vip := e.team(t, "VIP")
	add := func(name, set string) workflow.Rule {
		t.Helper()
		r, err := e.rules.Add(ctx, workflow.NewRule{Name: name, RuleSet: set, Actions: workflow.Actions{SetTags: []string{name}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, c := add("a", ""), add("b", ""), add("c", "")
	add("x", "other")

	// Conditions and actions are replaced; the set and place are kept.
	got, err := e.rules.Update(ctx, b.ID, workflow.NewRule{Name: "gold", SetTeam: "vip",
		Conditions: workflow.Conditions{Tiers: []string{"Gold"}, ContactTags: []string{"Key-Account"}},
		Actions:    workflow.Actions{SetPriority: inbox.PriorityHigh}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || got.Position != 2 || got.RuleSet != workflow.DefaultRuleSet || got.SetTeamID != vip.ID ||
		!slices.Equal(got.Tiers, []string{"gold"}) || !slices.Equal(got.ContactTags, []string{"key-account"}) || len(got.SetTags) != 0 {
		t.Fatalf("updated = %+v", got)
	}
	// Moved up within its set, then to another set.
	if _, err := e.rules.Update(ctx, c.ID, workflow.NewRule{Name: "c", Position: 1, Actions: workflow.Actions{SetTags: []string{"c"}}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"default:c", "default:a", "default:gold", "other:x"}; !slices.Equal(ruleNames(t, e.rules), want) {
		t.Fatalf("after moving c first: %v, want %v", ruleNames(t, e.rules), want)
	}
	if _, err := e.rules.Update(ctx, a.ID, workflow.NewRule{Name: "a", Position: 3, Actions: workflow.Actions{SetTags: []string{"a"}}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"default:c", "default:gold", "default:a", "other:x"}; !slices.Equal(ruleNames(t, e.rules), want) {
		t.Fatalf("after moving a last: %v, want %v", ruleNames(t, e.rules), want)
	}
	if _, err := e.rules.Update(ctx, c.ID, workflow.NewRule{Name: "c", RuleSet: "other", Position: 1, Actions: workflow.Actions{SetTags: []string{"c"}}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"default:gold", "default:a", "other:c", "other:x"}; !slices.Equal(ruleNames(t, e.rules), want) {
		t.Fatalf("after moving c to the other set: %v, want %v", ruleNames(t, e.rules), want)
	}

	// Bad input and unknown ids change nothing.
	if _, err := e.rules.Update(ctx, b.ID, workflow.NewRule{Name: "gold"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("no action: %v", err)
	}
	if _, err := e.rules.Update(ctx, 99999, workflow.NewRule{Name: "z", Actions: workflow.Actions{SetTags: []string{"z"}}}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if r := ruleByName(t, e.rules, "gold"); r.SetPriority != inbox.PriorityHigh || r.SetTeamID != vip.ID {
		t.Fatalf("a refused update changed the rule: %+v", r)
	}
}

// TestRouteReadsTheProfileAtRouteTime: the rules see the customer's tier, tags, company and
// attributes as they are when the conversation is routed (set after the message arrived), and a
// contact without a tier has their company's.
func TestRouteReadsTheProfileAtRouteTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	defineAttrs(t, e.store, profileDefs...)
	vip := e.team(t, "VIP")
	in := e.inboxOf(t, "api", 0)
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptr("Acme"), Tier: ptr("Gold")}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "gold", SetTeam: "VIP", Conditions: workflow.Conditions{Tiers: []string{"gold"}},
		Actions: workflow.Actions{SetPriority: inbox.PriorityHigh}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rules.SetRuleSet(ctx, workflow.RuleSetChange{Name: "tagging", Mode: workflow.ModeAll}); err != nil {
		t.Fatal(err)
	}
	for _, nr := range []workflow.NewRule{
		{Name: "enterprise", RuleSet: "tagging", Conditions: workflow.Conditions{Attributes: []workflow.AttrCondition{
			{Key: "plan", Value: "enterprise"}, {Key: "orders", Op: workflow.AttrGte, Value: 10}}}, Actions: workflow.Actions{SetTags: []string{"enterprise"}}},
		{Name: "acme", RuleSet: "tagging", Companies: []string{"acme"}, Actions: workflow.Actions{SetTags: []string{"acme"}}},
		{Name: "key account", RuleSet: "tagging", Conditions: workflow.Conditions{ContactTags: []string{"key-account"}},
			Actions: workflow.Actions{SetTags: []string{"key"}}},
	} {
		if _, err := e.rules.Add(ctx, nr); err != nil {
			t.Fatal(err)
		}
	}
	route := func(res inbox.IngestResult) inbox.Conversation {
		t.Helper()
		if _, err := workflow.RouteWith(ctx, e.store, res.ConversationID, insertOnly(t, e)); err != nil {
			t.Fatal(err)
		}
		return e.conversation(t, res.ConversationID)
	}
	everyone := e.store.As(inbox.Everyone())

	// The message arrives first; the agent fills in the profile before the route job runs.
	vera := e.message(t, in, "vera@example.com", "Hello", "A question.")
	if _, err := everyone.UpdateContact(ctx, vera.ContactID, inbox.ContactPatch{Tier: ptr(" GOLD "), Tags: &[]string{"Key-Account"},
		Attributes: map[string]any{"plan": "enterprise", "orders": 12}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	c := route(vera)
	if c.TeamID == nil || *c.TeamID != vip.ID || c.Priority != inbox.PriorityHigh || !slices.Equal(c.Tags, []string{"enterprise", "key"}) {
		t.Fatalf("vera's conversation = team %v, %s, %v; want VIP, high, [enterprise key]", c.TeamID, c.Priority, c.Tags)
	}

	// No tier of her own: her company's gold applies; the company condition matches.
	will := e.message(t, in, "will@example.com", "Hi", "Another question.")
	if _, err := everyone.UpdateContact(ctx, will.ContactID, inbox.ContactPatch{CompanyID: &acme.ID,
		Attributes: map[string]any{"plan": "enterprise", "orders": 3}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	c = route(will)
	if c.TeamID == nil || *c.TeamID != vip.ID || c.Priority != inbox.PriorityHigh || !slices.Equal(c.Tags, []string{"acme"}) {
		t.Fatalf("will's conversation = team %v, %s, %v; want VIP, high, [acme]", c.TeamID, c.Priority, c.Tags)
	}

	// A plain customer matches none of them.
	c = route(e.message(t, in, "xena@example.com", "Hey", "A third question."))
	if c.TeamID != nil || c.Priority != inbox.PriorityNormal || len(c.Tags) != 0 {
		t.Fatalf("plain conversation = team %v, %s, %v", c.TeamID, c.Priority, c.Tags)
	}
}
