package channels

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Alert kinds: the SLA events an Alert reports (workflow's event types of the same names).
const (
	AlertWarning   = "sla.warning"   // a target is at risk
	AlertBreach    = "sla.breach"    // a target was missed: level 1
	AlertEscalated = "sla.escalated" // a missed target escalated: level 2 and up
)

// Alert is one SLA notice about a conversation, for staff outside Parley.
type Alert struct {
	// Kind is AlertWarning, AlertBreach or AlertEscalated.
	Kind           string
	ConversationID int64
	Subject        string
	// Target is the SLA target concerned: "first_response", "next_response" or "resolution".
	Target   string
	Due      time.Time
	Level    int
	Priority inbox.Priority
	TeamID   int64
	TeamName string
	// The assignee (0: unassigned), named in the alert's text. They are told in Parley itself
	// (and by email, as they chose) through their notification centre, not by the Alerter.
	AssigneeID   int64
	AssigneeName string
}

// Alerter tells staff outside Parley about SLA trouble: the Slack channel posts to a team's
// alert channel. teamID is the conversation's team (0: none; post to a default channel or
// drop it). Its errors follow the package's convention (Temporary false: give up).
type Alerter interface {
	Alert(ctx context.Context, teamID int64, alert Alert) error
}

// Title is a one-line summary, such as "SLA breach: first response overdue".
func (a Alert) Title() string {
	what := strings.ReplaceAll(a.Target, "_", " ")
	switch a.Kind {
	case AlertWarning:
		return "SLA at risk: " + what + " due soon"
	case AlertEscalated:
		return fmt.Sprintf("SLA escalated to level %d: %s overdue", a.Level, what)
	}
	return "SLA breach: " + what + " overdue"
}

// Text gives the details: the conversation, its priority, who holds it and the due instant.
func (a Alert) Text() string {
	who := "unassigned"
	if a.AssigneeID != 0 {
		who = "assigned to " + a.AssigneeName
	}
	team := ""
	if a.TeamName != "" {
		team = ", team " + a.TeamName
	}
	return fmt.Sprintf("Conversation #%d %q (%s priority%s) is %s; due %s.", a.ConversationID, a.Subject,
		a.Priority, team, who, a.Due.UTC().Format("2006-01-02 15:04 MST"))
}
