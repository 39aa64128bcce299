package workflow_test

import (
	"context"
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// A process routes by its compiled rules only while they are the rules: a rule added, changed
// or deleted through anything that writes the database (here the rules API, as another
// process would) applies to the very next conversation the same router files.
func TestRouterSeesEveryChangeToTheRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	router := workflow.NewRouter(e.store)
	n := 0
	route := func() inbox.Conversation {
		t.Helper()
		n++
		conv := e.message(t, 0, "jane"+string(rune('a'+n))+"@example.com", "", "I want a refund")
		if _, err := router.Route(ctx, conv.ConversationID, insertOnly(t, e)); err != nil {
			t.Fatal(err)
		}
		return e.conversation(t, conv.ConversationID)
	}
	if c := route(); len(c.Tags) != 0 {
		t.Fatalf("tags %v without a rule", c.Tags)
	}
	rule, err := e.rules.Add(ctx, workflow.NewRule{Name: "refunds", Conditions: workflow.Conditions{Keywords: []string{"refund"}},
		Actions: workflow.Actions{SetTags: []string{"money"}, SetCategory: "Billing"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := route(); !slices.Equal(c.Tags, []string{"money"}) || c.Category != "Billing" {
		t.Fatalf("after the rule was added: tags %v, category %q", c.Tags, c.Category)
	}
	if _, err := e.rules.Update(ctx, rule.ID, workflow.NewRule{Name: "refunds", Conditions: workflow.Conditions{Keywords: []string{"refund"}},
		Actions: workflow.Actions{SetTags: []string{"cash"}, SetCategory: "Billing"}}); err != nil {
		t.Fatal(err)
	}
	if c := route(); !slices.Equal(c.Tags, []string{"cash"}) {
		t.Fatalf("after the rule was changed: tags %v", c.Tags)
	}
	if err := e.rules.Delete(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	if c := route(); len(c.Tags) != 0 || c.Category != "" {
		t.Fatalf("after the rule was deleted: tags %v, category %q", c.Tags, c.Category)
	}
}
