package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestRulesAPIEditsARuleWithProfileConditions adds a rule on a company and an attribute, then
// replaces it (PUT) keeping its place; bad input and non-admins change nothing.
func TestRulesAPIEditsARuleWithProfileConditions(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	_, admin := e.newAgent(t, "admin", inbox.RoleAdmin)
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "plan", Label: "Plan",
		Type: inbox.AttrList, Options: []string{"free", "enterprise"}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	name := "Acme"
	acme, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: &name}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	var rule workflow.Rule
	if st := e.doAs(t, admin, "POST", "/api/v1/rules", `{"name":"enterprise","companies":["acme"],
		"attributes":[{"key":"plan","op":"eq","value":"enterprise"}],"set_priority":"high"}`, &rule); st != http.StatusCreated {
		t.Fatalf("POST rule: %d", st)
	}
	if len(rule.CompanyIDs) != 1 || rule.CompanyIDs[0] != acme.ID || len(rule.Attributes) != 1 || rule.Attributes[0].Values[0] != "enterprise" {
		t.Fatalf("rule = %+v", rule)
	}
	var got workflow.Rule
	if st := e.doAs(t, admin, "PUT", "/api/v1/rules/"+strconv.FormatInt(rule.ID, 10), `{"name":"gold enterprise","tiers":["Gold"],
		"attributes":[{"key":"plan","op":"in","values":["enterprise","free"]}],"set_priority":"urgent","set_tags":["vip"]}`, &got); st != http.StatusOK {
		t.Fatalf("PUT rule: %d", st)
	}
	if got.ID != rule.ID || got.Name != "gold enterprise" || got.Position != 1 || got.RuleSet != workflow.DefaultRuleSet ||
		len(got.CompanyIDs) != 0 || len(got.Tiers) != 1 || got.Tiers[0] != "gold" || got.Attributes[0].Op != workflow.AttrIn ||
		got.SetPriority != inbox.PriorityUrgent {
		t.Fatalf("updated rule = %+v", got)
	}
	for _, bad := range []struct {
		token, body string
		want        int
	}{
		{admin, `{"name":"x","attributes":[{"key":"plan","op":"gt","value":"free"}],"set_tags":["x"]}`, http.StatusBadRequest},
		{admin, `{"name":"x","attributes":[{"key":"size","value":"9"}],"set_tags":["x"]}`, http.StatusBadRequest},
		{e.token, `{"name":"x","set_tags":["x"]}`, http.StatusForbidden},
	} {
		if st := e.doAs(t, bad.token, "PUT", "/api/v1/rules/"+strconv.FormatInt(rule.ID, 10), bad.body, nil); st != bad.want {
			t.Errorf("PUT %s: %d, want %d", bad.body, st, bad.want)
		}
	}
	if st := e.doAs(t, admin, "PUT", "/api/v1/rules/99999", `{"name":"x","set_tags":["x"]}`, nil); st != http.StatusNotFound {
		t.Errorf("PUT an unknown rule: %d, want 404", st)
	}
	sets := mustSets(t, e)
	if r := sets[0].Rules[0]; r.Name != "gold enterprise" || r.SetPriority != inbox.PriorityUrgent {
		t.Fatalf("stored rule = %+v", r)
	}
}
