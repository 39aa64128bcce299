package web

import (
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestDescribeSpeaksPlainly: the timeline names the team, the rule, the round-robin and the SLA
// target, and says "took" when agents assign themselves; no internal kind shows through.
func TestDescribeSpeaksPlainly(t *testing.T) {
	ann, bob := int64(1), int64(2)
	names := timelineNames{agents: map[int64]string{ann: "Ann", bob: "Bob"}, teams: map[int64]string{7: "Billing"}, w: englishWords()}
	cases := []struct {
		name  string
		entry inbox.AuditEntry
		want  string
		alert bool
	}{
		{"self-assignment", inbox.AuditEntry{AgentID: &ann, Actor: "agent", Kind: "assign", Data: map[string]any{"to": 1.0}}, "Ann took this conversation", false},
		{"assignment", inbox.AuditEntry{AgentID: &bob, Actor: "agent", Kind: "assign", Data: map[string]any{"to": 1.0}}, "Bob assigned this to Ann", false},
		{"round-robin", inbox.AuditEntry{Actor: "system", Kind: "assign", Data: map[string]any{"to": 1.0, "via": "round_robin"}}, "Assigned to Ann by the round-robin", false},
		{"system assignment", inbox.AuditEntry{Actor: "system", Kind: "assign", Data: map[string]any{"to": 2.0}}, "Assigned to Bob automatically", false},
		{"routed team", inbox.AuditEntry{Actor: "system", Kind: "team", Data: map[string]any{"from": 0.0, "to": 7.0}}, "Routed to the Billing team", false},
		{"moved team", inbox.AuditEntry{AgentID: &bob, Actor: "agent", Kind: "team", Data: map[string]any{"to": 7.0}}, "Bob moved this to the Billing team", false},
		{"rule", inbox.AuditEntry{Actor: "system", Kind: "routed", Data: map[string]any{"rules": []any{
			map[string]any{"id": 3.0, "name": "Refunds", "rule_set": "default"}}}}, `Routing rule "Refunds" (rule set "default") applied`, false},
		{"two rules", inbox.AuditEntry{Actor: "system", Kind: "routed", Data: map[string]any{"rules": []any{
			map[string]any{"name": "A"}, map[string]any{"name": "B"}}}}, `Routing rules "A" and "B" applied`, false},
		{"category", inbox.AuditEntry{Actor: "system", Kind: "category", Data: map[string]any{"to": "billing"}}, `Category set to billing by routing`, false},
		{"warning", inbox.AuditEntry{Actor: "system", Kind: "sla.warning", Data: map[string]any{"target": "first_response", "due_at": "2026-12-02T17:05:00Z"}},
			"SLA warning: the first response is due at Dec 2, 17:05 UTC", true},
		{"breach", inbox.AuditEntry{Actor: "system", Kind: "sla.breach", Data: map[string]any{"target": "next_response"}}, "SLA breached: next response", true},
		{"status", inbox.AuditEntry{AgentID: &ann, Actor: "agent", Kind: "status", Data: map[string]any{"from": "open", "to": "resolved"}}, "Ann changed the status from open to resolved", false},
		{"autoclose", inbox.AuditEntry{Actor: "system", Kind: "autoclose", Data: map[string]any{"from": "resolved", "to": "closed", "after_secs": 7200.0}},
			"Moved from resolved to closed automatically after 2h without activity", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, alert := describe(c.entry, names)
			if got != c.want || alert != c.alert {
				t.Errorf("describe = %q, %v; want %q, %v", got, alert, c.want, c.alert)
			}
		})
	}
}
