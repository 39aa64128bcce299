package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// auditRows reads the audit log, oldest first.
func auditRows(t *testing.T, store *inbox.Store) []inbox.AuditRecord {
	t.Helper()
	page, err := store.AuditLog(context.Background(), inbox.AuditQuery{Limit: inbox.MaxAuditPage})
	if err != nil {
		t.Fatal(err)
	}
	out := page.Records
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// TestRuleAndPolicyChangesAreAudited makes each kind of rule, rule set, SLA policy and settings
// change as an admin (As) and once without an actor, and finds each in the audit log with its
// actor, address and target; the changes refused leave no record.
func TestRuleAndPolicyChangesAreAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ana := inbox.AuditActor{AgentID: 7, Name: "ana@example.com", IP: "192.0.2.4"}
	rules := e.rules.As(ana)
	r, err := rules.Add(ctx, workflow.NewRule{Name: "vip", Conditions: workflow.Conditions{Tiers: []string{"gold"}},
		Actions: workflow.Actions{SetPriority: inbox.PriorityUrgent}})
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.SetRuleSet(ctx, workflow.RuleSetChange{Name: "tags", Mode: workflow.ModeAll})
	if err != nil {
		t.Fatal(err)
	}
	if err := rules.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	// Refused: an unknown team, an unknown rule, a set without a name.
	if _, err := rules.Add(ctx, workflow.NewRule{Name: "x", SetTeam: "Nobody"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("rule naming no team: %v", err)
	}
	if err := rules.Delete(ctx, r.ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("deleting a deleted rule: %v", err)
	}
	if _, err := rules.SetRuleSet(ctx, workflow.RuleSetChange{}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("rule set without a name: %v", err)
	}
	desk := workflow.NewSLA(e.pool, e.store)
	p, err := desk.As(ana).CreatePolicy(ctx, workflow.NewPolicy{Name: "Default", FirstResponse: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.As(ana).CreatePolicy(ctx, workflow.NewPolicy{Name: "Default", FirstResponse: time.Hour}); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("a second policy of the name: %v", err)
	}
	settings, err := desk.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings.SurveyEnabled = true
	if err := desk.As(ana).SetSettings(ctx, settings); err != nil {
		t.Fatal(err)
	}
	settings.SurveyValidFor = time.Second
	if err := desk.As(ana).SetSettings(ctx, settings); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("a survey window of a second: %v", err)
	}
	// Without As the change is the system's.
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "auto", Actions: workflow.Actions{SetTags: []string{"a"}}}); err != nil {
		t.Fatal(err)
	}
	want := []struct{ kind, target, action, actor string }{
		{inbox.AuditRuleChanged, inbox.AuditTarget("rule", r.ID), "created", "ana@example.com"},
		{inbox.AuditRuleChanged, inbox.AuditTarget("rule_set", set.ID), "rule_set", "ana@example.com"},
		{inbox.AuditRuleChanged, inbox.AuditTarget("rule", r.ID), "deleted", "ana@example.com"},
		{inbox.AuditPolicyChanged, inbox.AuditTarget("sla_policy", p.ID), "created", "ana@example.com"},
		{inbox.AuditSettingsChanged, "settings:lifecycle", "", "ana@example.com"},
		{inbox.AuditRuleChanged, "", "created", "system"},
	}
	got := auditRows(t, e.store)
	if len(got) != len(want) {
		t.Fatalf("%d audit records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		action, _ := g.Data["action"].(string)
		if g.Kind != w.kind || (w.target != "" && g.Target != w.target) || action != w.action || g.Actor != w.actor {
			t.Errorf("record %d: %s %s %q by %s, want %s %s %q by %s", i, g.Kind, g.Target, action, g.Actor, w.kind, w.target, w.action, w.actor)
		}
		if w.actor == "ana@example.com" && (g.ActorID != 7 || g.SourceIP != "192.0.2.4") {
			t.Errorf("record %d: actor id %d from %q, want 7 from 192.0.2.4", i, g.ActorID, g.SourceIP)
		}
		if w.actor == "system" && (g.ActorID != 0 || g.SourceIP != "") {
			t.Errorf("record %d: the system's change names agent %d from %q", i, g.ActorID, g.SourceIP)
		}
	}
	if name, _ := got[2].Data["name"].(string); name != "vip" {
		t.Errorf("the deletion's record names rule %q, want vip", name)
	}
	if on, _ := got[4].Data["survey_enabled"].(bool); !on {
		t.Errorf("the settings record lacks the new settings: %v", got[4].Data)
	}
}
