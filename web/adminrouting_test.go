package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// TestAdminPagesListRulesAndPoliciesForAdminsOnly reads the routing-rule and SLA admin pages:
// rules in run order with their conditions and actions, policies with their calendars and
// the lifecycle settings; agents and supervisors are refused; the pages' forms drive the
// JSON APIs, whose changes show on the next load.
func TestAdminPagesListRulesAndPoliciesForAdminsOnly(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	team, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	api, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: "api", Name: "Shop API"})
	if err != nil {
		t.Fatal(err)
	}
	acme := "Acme"
	if _, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: &acme}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "plan", Label: "Plan",
		Type: inbox.AttrList, Options: []string{"free", "pro", "enterprise"}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	rules := workflow.NewRules(e.pool, e.store)
	for _, nr := range []workflow.NewRule{
		{Name: "Invoices", Conditions: workflow.Conditions{Keywords: []string{"invoice"}}, SetTeam: "Billing"},
		{Name: "Urgent SMS", Position: 1, Conditions: workflow.Conditions{Channels: []inbox.Channel{inbox.ChannelSMS}},
			Actions: workflow.Actions{SetPriority: inbox.PriorityUrgent}},
		{Name: "Acme enterprise", Companies: []string{"Acme"}, Conditions: workflow.Conditions{InboxIDs: []int64{api.ID},
			Tiers: []string{"gold"}, ContactTags: []string{"vip"}, Priorities: []inbox.Priority{inbox.PriorityHigh},
			Attributes: []workflow.AttrCondition{{Key: "plan", Op: workflow.AttrIn, Values: []any{"pro", "enterprise"}}}},
			Actions: workflow.Actions{SetTags: []string{"key"}}},
	} {
		if _, err := rules.Add(ctx, nr); err != nil {
			t.Fatal(err)
		}
	}
	cal := sla.Calendar{Week: sla.Week{time.Monday: {{Start: 9 * time.Hour, End: 17 * time.Hour}}}}
	if _, err := workflow.NewSLA(e.pool, e.store).CreatePolicy(ctx, workflow.NewPolicy{Name: "Billing SLA", TeamID: team.ID,
		FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour, Calendar: cal, EscalateTeamID: team.ID}); err != nil {
		t.Fatal(err)
	}

	st, body := admin.get(t, "/admin/rules")
	if st != http.StatusOK {
		t.Fatalf("/admin/rules: %d", st)
	}
	mustContain(t, "rules page", body, `<h2>1. default <span class="chip">mode: first</span></h2>`,
		`<td>1</td><td>Urgent SMS</td>`, `<td>2</td><td>Invoices</td>`, `words “invoice”`, `team Billing;`,
		`priority urgent;`, `data-rule-form`, `data-api="/api/v1/rule-sets"`, `js/admin.js`, `js/rules.js`,
		`inbox Shop API; tier gold; customer tags vip; company Acme; plan in pro, enterprise; priority high`,
		`aria-label="Edit rule Acme enterprise"`, `<option value="plan">Plan (list)</option>`)
	st, body = admin.get(t, "/admin/sla")
	if st != http.StatusOK {
		t.Fatalf("/admin/sla: %d", st)
	}
	mustContain(t, "sla page", body, `<td>Billing SLA</td>`, `<td>Billing, any priority</td>`,
		`<td class="num">2h</td><td class="num">—</td><td class="num">1d</td>`, `: Mon 09:00-17:00</td>`,
		`<td class="num">80%</td>`, `name="pending_resolve_after" value="3d"`, `data-method="PUT"`)

	// What the page's script sends: a rule set's mode, then a rule that sends invoices elsewhere.
	st, out := admin.do(t, http.MethodPost, "/api/v1/rule-sets", "application/json", `{"name":"default","mode":"all"}`)
	if st != http.StatusOK {
		t.Fatalf("rule set: %d %s", st, out)
	}
	_, body = admin.get(t, "/admin/rules")
	mustContain(t, "rules page after", body, `<span class="chip">mode: all</span>`)
	// A cross-site form cannot change them with the admin's cookie.
	if st, _ := admin.do(t, http.MethodPost, "/api/v1/rule-sets", "application/json", `{"name":"default","mode":"first"}`,
		"Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("cross-site rule-set change: %d, want 403", st)
	}

	for _, role := range []inbox.Role{inbox.RoleAgent, inbox.RoleSupervisor} {
		u := e.newUser(t, "u-"+string(role), role)
		for _, p := range []string{"/admin/rules", "/admin/sla"} {
			if st, _ := u.get(t, p); st != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, st)
			}
		}
	}
}
