package web

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// timelineItem is one entry of a conversation's thread: a message, or a change from the audit
// trail shown inline between them.
type timelineItem struct {
	At     time.Time
	Msg    *inbox.Message
	Author string // the agent who wrote an outbound message or note
	Event  string // the change, in words
	Alert  bool   // the change is bad news (an SLA breach)
}

// timeline interleaves messages and audit entries by time (messages first on a tie).
func timeline(msgs []inbox.Message, audit []inbox.AuditEntry, names map[int64]string) []timelineItem {
	items := make([]timelineItem, 0, len(msgs)+len(audit))
	for i := range msgs {
		m := &msgs[i]
		it := timelineItem{At: m.CreatedAt, Msg: m}
		if m.AuthorAgentID != nil {
			it.Author = names[*m.AuthorAgentID]
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

// describe says what an audit entry records, and whether it is an alert.
func describe(a inbox.AuditEntry, names map[int64]string) (string, bool) {
	who := "System"
	switch {
	case a.AgentID != nil:
		who = names[*a.AgentID]
	case a.Actor == "customer":
		who = "The customer"
	}
	d := a.Data
	if text, ok := describeCategory(a.Kind, who, d); ok {
		return text, false
	}
	switch a.Kind {
	case "assign":
		if to := num(d["to"]); to != 0 {
			return fmt.Sprintf("%s assigned this to %s", who, names[to]), false
		}
		return who + " unassigned this", false
	case "status":
		return fmt.Sprintf("%s changed the status from %v to %v", who, d["from"], d["to"]), false
	case "priority":
		return fmt.Sprintf("%s set the priority to %v", who, d["to"]), false
	case "team":
		return who + " moved this to another team", false
	case "tags":
		return fmt.Sprintf("%s changed tags: %s", who, tagChange(d)), false
	case "merge":
		return who + " merged another contact into this customer", false
	}
	if strings.Contains(a.Kind, "breach") {
		target := fmt.Sprint(d["target"])
		if d["target"] == nil {
			target = strings.TrimSuffix(strings.TrimPrefix(a.Kind, "sla."), ".breach")
		}
		return "SLA breached: " + strings.ReplaceAll(target, "_", " "), true
	}
	return who + ": " + strings.ReplaceAll(a.Kind, "_", " "), false
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
