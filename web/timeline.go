package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// timelineItem is one entry of a conversation's thread: a message, or a change from the audit
// trail shown inline between them.
type timelineItem struct {
	At     time.Time
	Msg    *inbox.Message
	Author string // the agent who wrote an outbound message or note
	Event  string // the change, in words
	Alert  bool   // the change is bad news (an SLA warning or breach)
}

// timelineNames are the names a timeline speaks of: agents' and teams' by id.
type timelineNames struct {
	agents map[int64]string
	teams  map[int64]string
}

// timeline interleaves messages and audit entries by time (messages first on a tie).
func timeline(msgs []inbox.Message, audit []inbox.AuditEntry, names timelineNames) []timelineItem {
	items := make([]timelineItem, 0, len(msgs)+len(audit))
	for i := range msgs {
		m := &msgs[i]
		it := timelineItem{At: m.CreatedAt, Msg: m}
		if m.AuthorAgentID != nil {
			it.Author = names.agents[*m.AuthorAgentID]
		}
		items = append(items, it)
	}
	for _, a := range audit {
		text, alert := describe(a, names)
		items = append(items, timelineItem{At: a.CreatedAt, Event: text, Alert: alert})
	}
	slices.SortStableFunc(items, func(x, y timelineItem) int { return x.At.Compare(y.At) })
	return items
}

// targetNames are SLA targets in words.
var targetNames = map[string]string{"first_response": "first response", "next_response": "next response", "resolution": "resolution"}

// describe says in plain words what an audit entry records, and whether it is an alert. Changes
// the system made (routing, assignment, SLA clocks) say which rule, team or target.
func describe(a inbox.AuditEntry, names timelineNames) (string, bool) {
	who, system := "Parley", true
	var agentID int64
	switch {
	case a.AgentID != nil:
		agentID, system = *a.AgentID, false
		who = names.agents[agentID]
		if who == "" {
			who = "Agent " + strconv.FormatInt(agentID, 10)
		}
	case a.Actor == "customer":
		who, system = "The customer", false
	}
	d := a.Data
	if text, ok := describeCategory(a.Kind, who, system, d); ok {
		return text, false
	}
	switch a.Kind {
	case "assign":
		return describeAssign(who, system, agentID, d, names), false
	case "status":
		if text, ok := describeSnooze(who, system, d); ok {
			return text, false
		}
		if system {
			return fmt.Sprintf("The status changed from %v to %v", d["from"], d["to"]), false
		}
		return fmt.Sprintf("%s changed the status from %v to %v", who, d["from"], d["to"]), false
	case "priority":
		if system {
			return fmt.Sprintf("Priority set to %v by routing", d["to"]), false
		}
		return fmt.Sprintf("%s set the priority to %v", who, d["to"]), false
	case "team":
		team := teamName(num(d["to"]), names)
		if system {
			return "Routed to " + team, false
		}
		return fmt.Sprintf("%s moved this to %s", who, team), false
	case "tags":
		if system {
			return "Tags changed by routing: " + tagChange(d), false
		}
		return fmt.Sprintf("%s changed tags: %s", who, tagChange(d)), false
	case "routed":
		return routedText(d), false
	case "merge":
		return who + " merged another contact into this customer", false
	case "autoclose":
		return fmt.Sprintf("Moved from %v to %v automatically after %s without activity", d["from"], d["to"],
			formatDuration(time.Duration(num(d["after_secs"]))*time.Second)), false
	case "survey.answered":
		return surveyText(d), false
	case "followup.opened":
		name := names.agents[num(d["assignee"])]
		if name == "" {
			return fmt.Sprintf("Follow-up opened for a score of %d/5, for no one: no supervisor is active", num(d["score"])), true
		}
		return fmt.Sprintf("Follow-up opened for %s: the customer gave %d/5", name, num(d["score"])), true
	case "followup.closed":
		text := fmt.Sprintf("%s closed the follow-up: %s", who, outcomeName(workflow.RecoveryOutcome(fmt.Sprint(d["outcome"]))))
		if note, _ := d["note"].(string); note != "" {
			text += " (" + note + ")"
		}
		return text, false
	case "sla.warning":
		return "SLA warning: the " + target(d) + " is due" + dueText(d), true
	case "sla.escalated":
		return fmt.Sprintf("SLA escalated (level %d): the %s was missed", num(d["level"]), target(d)), true
	}
	if strings.Contains(a.Kind, "breach") {
		t := target(d)
		if d["target"] == nil {
			t = targetWords(strings.TrimSuffix(strings.TrimPrefix(a.Kind, "sla."), ".breach"))
		}
		return "SLA breached: " + t, true
	}
	return who + ": " + strings.NewReplacer("_", " ", ".", " ").Replace(a.Kind), false
}

// surveyText is a survey answer in words: Customer rated 2/5: 'Too slow'.
func surveyText(d map[string]any) string {
	text := fmt.Sprintf("Customer rated %d/5", num(d["score"]))
	if c, _ := d["comment"].(string); c != "" {
		text += ": '" + c + "'"
	}
	return text
}

// describeAssign is an assignment in words: who took it, who gave it to whom, or the
// round-robin that chose the agent.
func describeAssign(who string, system bool, by int64, d map[string]any, names timelineNames) string {
	to := num(d["to"])
	if to == 0 {
		if system {
			return "Unassigned automatically"
		}
		return who + " unassigned this"
	}
	name := names.agents[to]
	if name == "" {
		name = "agent " + strconv.FormatInt(to, 10)
	}
	switch {
	case system && d["via"] == "round_robin":
		return "Assigned to " + name + " by the round-robin"
	case system:
		return "Assigned to " + name + " automatically"
	case by == to:
		return who + " took this conversation"
	}
	return fmt.Sprintf("%s assigned this to %s", who, name)
}

// routedText names the routing rules that fired, with their rule sets.
func routedText(d map[string]any) string {
	rules, _ := d["rules"].([]any)
	var parts []string
	for _, r := range rules {
		m, _ := r.(map[string]any)
		if m == nil {
			continue
		}
		p := strconv.Quote(fmt.Sprint(m["name"]))
		if set, _ := m["rule_set"].(string); set != "" {
			p += " (rule set " + strconv.Quote(set) + ")"
		}
		parts = append(parts, p)
	}
	switch len(parts) {
	case 0:
		return "Routing rules applied"
	case 1:
		return "Routing rule " + parts[0] + " applied"
	}
	return "Routing rules " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " applied"
}

func teamName(id int64, names timelineNames) string {
	if id == 0 {
		return "no team"
	}
	if n := names.teams[id]; n != "" {
		return "the " + n + " team"
	}
	return "team " + strconv.FormatInt(id, 10)
}

// target is an SLA entry's target in words.
func target(d map[string]any) string { return targetWords(fmt.Sprint(d["target"])) }

func targetWords(t string) string {
	if w, ok := targetNames[t]; ok {
		return w
	}
	return strings.ReplaceAll(t, "_", " ")
}

// dueText is " at Jan 2, 17:05 UTC" for an entry's due instant, or nothing.
func dueText(d map[string]any) string {
	s, _ := d["due_at"].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return ""
	}
	return " at " + t.UTC().Format("Jan 2, 15:04 UTC")
}

// num reads a JSON number (float64 once decoded) as an id.
func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func tagChange(d map[string]any) string {
	var parts []string
	for _, k := range []string{"added", "removed"} {
		list, _ := d[k].([]any)
		for _, t := range list {
			sign := "+"
			if k == "removed" {
				sign = "−"
			}
			parts = append(parts, fmt.Sprintf("%s%v", sign, t))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
