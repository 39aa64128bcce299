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
	// To, Cc and Bcc are an outbound email's recipients as stored with it (comma-separated).
	To, Cc, Bcc string
	Forward     bool // the message forwards the conversation (inbox.AutoForward)
}

// timelineNames are the names a timeline speaks of (agents' and teams' by id) and the words it
// speaks in.
type timelineNames struct {
	agents map[int64]string
	teams  map[int64]string
	w      words
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
		if r, ok := inbox.RecipientsOf(*m); ok && m.Direction == inbox.DirectionOutbound {
			it.To, it.Cc, it.Bcc = strings.Join(r.To, ", "), strings.Join(r.Cc, ", "), strings.Join(r.Bcc, ", ")
		}
		it.Forward = m.Auto == inbox.AutoForward
		items = append(items, it)
	}
	for _, a := range audit {
		text, alert := describe(a, names)
		items = append(items, timelineItem{At: a.CreatedAt, Event: text, Alert: alert})
	}
	slices.SortStableFunc(items, func(x, y timelineItem) int { return x.At.Compare(y.At) })
	return items
}

// targetKeys are SLA targets' keys, as a timeline sentence names them ("the first response").
var targetKeys = map[string]string{"first_response": "timeline.target.first_response",
	"next_response": "timeline.target.next_response", "resolution": "timeline.target.resolution"}

// describe says in plain words what an audit entry records, and whether it is an alert. Changes
// the system made (routing, assignment, SLA clocks) say which rule, team or target.
func describe(a inbox.AuditEntry, names timelineNames) (string, bool) {
	w := names.w
	who, system := "Parley", true
	var agentID int64
	switch {
	case a.AgentID != nil:
		agentID, system = *a.AgentID, false
		who = names.agents[agentID]
		if who == "" {
			who = w.t("timeline.agent_id", "id", agentID)
		}
	case a.Actor == "customer":
		who, system = w.t("timeline.the_customer"), false
	}
	d := a.Data
	if text, ok := describeCategory(w, a.Kind, who, system, d); ok {
		return text, false
	}
	switch a.Kind {
	case "assign":
		return describeAssign(who, system, agentID, d, names), false
	case "status":
		if text, ok := describeSnooze(w, who, system, d); ok {
			return text, false
		}
		from, to := w.statusName(fmt.Sprint(d["from"])), w.statusName(fmt.Sprint(d["to"]))
		if system {
			return w.t("timeline.status_changed", "from", from, "to", to), false
		}
		return w.t("timeline.status_changed_by", "who", who, "from", from, "to", to), false
	case "priority":
		to := w.priorityName(fmt.Sprint(d["to"]))
		if system {
			return w.t("timeline.priority_routing", "to", to), false
		}
		return w.t("timeline.priority_set", "who", who, "to", to), false
	case "team":
		team := teamName(num(d["to"]), names)
		if system {
			return w.t("timeline.routed_to", "team", team), false
		}
		return w.t("timeline.moved_to", "who", who, "team", team), false
	case "tags":
		if system {
			return w.t("timeline.tags_routing", "change", tagChange(w, d)), false
		}
		return w.t("timeline.tags_changed", "who", who, "change", tagChange(w, d)), false
	case "routed":
		return routedText(w, d), false
	case "merge":
		return w.t("timeline.merged", "who", who), false
	case "autoclose":
		return w.t("timeline.autoclose", "from", w.statusName(fmt.Sprint(d["from"])), "to", w.statusName(fmt.Sprint(d["to"])),
			"after", w.duration(time.Duration(num(d["after_secs"]))*time.Second)), false
	case "survey.answered":
		return surveyText(w, d), false
	case "followup.opened":
		name := names.agents[num(d["assignee"])]
		if name == "" {
			return w.t("timeline.followup_opened_nobody", "score", num(d["score"])), true
		}
		return w.t("timeline.followup_opened", "name", name, "score", num(d["score"])), true
	case "followup.closed":
		outcome := outcomeName(w, workflow.RecoveryOutcome(fmt.Sprint(d["outcome"])))
		if note, _ := d["note"].(string); note != "" {
			return w.t("timeline.followup_closed_note", "who", who, "outcome", outcome, "note", note), false
		}
		return w.t("timeline.followup_closed", "who", who, "outcome", outcome), false
	case "sla.warning":
		if due, ok := dueAt(d); ok {
			return w.t("timeline.sla_warning_at", "target", target(w, d), "due", w.clock(due)), true
		}
		return w.t("timeline.sla_warning", "target", target(w, d)), true
	case "sla.escalated":
		return w.t("timeline.sla_escalated", "level", num(d["level"]), "target", target(w, d)), true
	}
	if strings.Contains(a.Kind, "breach") {
		t := target(w, d)
		if d["target"] == nil {
			t = targetWords(w, strings.TrimSuffix(strings.TrimPrefix(a.Kind, "sla."), ".breach"))
		}
		return w.t("timeline.sla_breached", "target", t), true
	}
	return w.t("timeline.other", "who", who, "kind", strings.NewReplacer("_", " ", ".", " ").Replace(a.Kind)), false
}

// surveyText is a survey answer in words: Customer rated 2/5: 'Too slow'.
func surveyText(w words, d map[string]any) string {
	if c, _ := d["comment"].(string); c != "" {
		return w.t("timeline.rated_comment", "score", num(d["score"]), "comment", c)
	}
	return w.t("timeline.rated", "score", num(d["score"]))
}

// describeAssign is an assignment in words: who took it, who gave it to whom, or the
// round-robin that chose the agent.
func describeAssign(who string, system bool, by int64, d map[string]any, names timelineNames) string {
	w := names.w
	to := num(d["to"])
	if to == 0 {
		if system {
			return w.t("timeline.unassigned_auto")
		}
		return w.t("timeline.unassigned_by", "who", who)
	}
	name := names.agents[to]
	if name == "" {
		name = w.t("timeline.agent_id_lower", "id", to)
	}
	switch {
	case system && d["via"] == "round_robin":
		return w.t("timeline.assigned_round_robin", "name", name)
	case system:
		return w.t("timeline.assigned_auto", "name", name)
	case by == to:
		return w.t("timeline.took", "who", who)
	}
	return w.t("timeline.assigned_by", "who", who, "name", name)
}

// routedText names the routing rules that fired, with their rule sets.
func routedText(w words, d map[string]any) string {
	rules, _ := d["rules"].([]any)
	var parts []string
	for _, r := range rules {
		m, _ := r.(map[string]any)
		if m == nil {
			continue
		}
		p := strconv.Quote(fmt.Sprint(m["name"]))
		if set, _ := m["rule_set"].(string); set != "" {
			p = w.t("timeline.rule_in_set", "rule", p, "set", strconv.Quote(set))
		}
		parts = append(parts, p)
	}
	switch len(parts) {
	case 0:
		return w.t("timeline.rules_applied")
	case 1:
		return w.t("timeline.rule_applied", "rule", parts[0])
	}
	return w.t("timeline.rules_applied_list", "rules", strings.Join(parts[:len(parts)-1], ", "), "last", parts[len(parts)-1])
}

func teamName(id int64, names timelineNames) string {
	if id == 0 {
		return names.w.t("timeline.no_team")
	}
	if n := names.teams[id]; n != "" {
		return names.w.t("timeline.the_team", "name", n)
	}
	return names.w.t("timeline.team_id", "id", id)
}

// target is an SLA entry's target in words.
func target(w words, d map[string]any) string { return targetWords(w, fmt.Sprint(d["target"])) }

func targetWords(w words, t string) string {
	if k, ok := targetKeys[t]; ok {
		return w.t(k)
	}
	return strings.ReplaceAll(t, "_", " ")
}

// dueAt is an entry's due instant, if it has one.
func dueAt(d map[string]any) (time.Time, bool) {
	s, _ := d["due_at"].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// num reads a JSON number (float64 once decoded) as an id.
func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func tagChange(w words, d map[string]any) string {
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
		return w.t("timeline.tags_none")
	}
	return strings.Join(parts, " ")
}
