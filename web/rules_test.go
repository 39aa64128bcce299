package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

func TestRulesAPIIsForAdmins(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, supervisor := e.newAgent(t, "sup", inbox.RoleSupervisor)
	for _, token := range []string{e.token, supervisor} {
		for _, req := range [][3]string{{"GET", "/api/v1/rules", ""}, {"POST", "/api/v1/rules", `{"name":"x","set_tags":["x"]}`},
			{"DELETE", "/api/v1/rules/1", ""}, {"POST", "/api/v1/rule-sets", `{"name":"x","mode":"all"}`}} {
			var got apiErr
			if st := e.doAs(t, token, req[0], req[1], req[2], &got); st != http.StatusForbidden || got.Code != "forbidden" {
				t.Errorf("%s %s as a non-admin: %d %+v, want 403", req[0], req[1], st, got)
			}
		}
	}
	if n := len(mustSets(t, e)); n != 1 {
		t.Fatalf("rule sets = %d after refused requests", n)
	}
}

func mustSets(t *testing.T, e *apiEnv) []workflow.RuleSet {
	t.Helper()
	_, admin := e.newAgent(t, "admin", inbox.RoleAdmin)
	var got struct {
		RuleSets []workflow.RuleSet `json:"rule_sets"`
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/rules", "", &got); st != http.StatusOK {
		t.Fatalf("GET /api/v1/rules: %d", st)
	}
	return got.RuleSets
}

func TestRulesAPIAddListDelete(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, admin := e.newAgent(t, "admin", inbox.RoleAdmin)
	billing, err := e.store.CreateTeam(context.Background(), "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	var rule workflow.Rule
	body := `{"name":"refunds","keywords":["Refund","money back"],"channels":["email"],"set_team":"billing",
		"set_priority":"high","set_category":"Complaint","set_tags":["refund"]}`
	if st := e.doAs(t, admin, "POST", "/api/v1/rules", body, &rule); st != http.StatusCreated {
		t.Fatalf("POST rule: %d", st)
	}
	if rule.ID == 0 || rule.RuleSet != "default" || rule.Position != 1 || rule.SetTeamID != billing.ID ||
		rule.SetCategory != "Complaint" || strings.Join(rule.Keywords, "|") != "refund|money back" {
		t.Fatalf("rule = %+v", rule)
	}
	var set workflow.RuleSet
	if st := e.doAs(t, admin, "POST", "/api/v1/rule-sets", `{"name":"tagging","mode":"all","position":1}`, &set); st != http.StatusOK ||
		set.Mode != workflow.ModeAll || set.Position != 1 {
		t.Fatalf("POST rule set: %d %+v", st, set)
	}
	if st := e.doAs(t, admin, "POST", "/api/v1/rules", `{"name":"mail","rule_set":"tagging","channels":["email"],"set_tags":["mail"]}`, nil); st != http.StatusCreated {
		t.Fatalf("POST second rule: %d", st)
	}
	sets := mustSets(t, e)
	if len(sets) != 2 || sets[0].Name != "tagging" || len(sets[0].Rules) != 1 || sets[1].Name != "default" ||
		len(sets[1].Rules) != 1 || sets[1].Rules[0].ID != rule.ID {
		t.Fatalf("rule sets = %+v", sets)
	}

	bad := []struct{ body, want string }{
		{`{"name":"x","channels":["fax"],"set_tags":["x"]}`, "channels: unknown channel"},
		{`{"name":"x","set_team":"Sales"}`, `set_team: no team "Sales"`},
		{`{"name":"x","keywords":["refund"]}`, "needs an action"},
		{`{"name":"x","set_tags":["x"],"colour":"red"}`, `unknown field "colour"`},
		{`{"name":"x","position":"first","set_tags":["x"]}`, `"position" must be a int`},
		{`{"name":`, "malformed JSON"},
	}
	for _, b := range bad {
		var got apiErr
		if st := e.doAs(t, admin, "POST", "/api/v1/rules", b.body, &got); st != http.StatusBadRequest || !strings.Contains(got.Error, b.want) {
			t.Errorf("POST %s: %d %+v, want 400 mentioning %q", b.body, st, got, b.want)
		}
	}

	if st := e.doAs(t, admin, "DELETE", "/api/v1/rules/"+itoa(rule.ID), "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d", st)
	}
	var got apiErr
	if st := e.doAs(t, admin, "DELETE", "/api/v1/rules/"+itoa(rule.ID), "", &got); st != http.StatusNotFound || got.Code != "not_found" {
		t.Fatalf("DELETE again: %d %+v", st, got)
	}
	if sets := mustSets(t, e); len(sets[1].Rules) != 0 {
		t.Fatalf("after delete: %+v", sets)
	}
}

func TestBackToAvailableEnqueuesTheWaitingQueue(t *testing.T) {
	t.Parallel()
	e := setup(t)
	driver := riverpgxv5.New(e.pool)
	if st := e.do(t, "POST", "/api/v1/me/availability", `{"availability":"away"}`, nil); st != http.StatusOK {
		t.Fatalf("away: %d", st)
	}
	rivertest.RequireNotInserted(context.Background(), t, driver, &workflow.AssignWaitingArgs{}, nil)
	if st := e.do(t, "POST", "/api/v1/me/availability", `{"availability":"available"}`, nil); st != http.StatusOK {
		t.Fatalf("available: %d", st)
	}
	job := rivertest.RequireInserted(context.Background(), t, driver, &workflow.AssignWaitingArgs{}, nil)
	if job.Args.AgentID != e.agent.ID || job.Args.TeamID != 0 {
		t.Fatalf("job args = %+v, want the agent's teams", job.Args)
	}
	var got apiErr
	if st := e.do(t, "POST", "/api/v1/me/availability", `{"availability":"busy"}`, &got); st != http.StatusBadRequest {
		t.Fatalf("busy: %d %+v", st, got)
	}
}
