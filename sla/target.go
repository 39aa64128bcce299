package sla

import "time"

// Target names one SLA target of a conversation. Its text is what the database stores and
// what job arguments and JSON carry.
type Target string

// The SLA targets. First response runs from the conversation's start to the first public reply
// of a human agent; next response from each customer message that follows an agent's reply to
// the agent's next public reply; resolution from the start to the resolution.
const (
	FirstResponse Target = "first_response"
	NextResponse  Target = "next_response"
	Resolution    Target = "resolution"
)

// EscalationLevel is one rung of a policy's escalation ladder. Levels[0] applies the moment a
// target is missed (its AfterSecs must be 0); Levels[i] applies AfterSecs of business time
// after the missed due instant if the target is still unmet then. The breach's level is the
// highest rung applied, counted from 1.
type EscalationLevel struct {
	AfterSecs int64 `json:"after_secs"`
	// Notify alerts the assignee (a live event) and the team's alert channel.
	Notify bool `json:"notify"`
	// RaisePriority moves the conversation one priority up (urgent stays urgent).
	RaisePriority bool `json:"raise_priority"`
	// Reassign hands the conversation to the policy's escalation team (its least-loaded
	// available member) or, without one, to the least-loaded available supervisor.
	Reassign bool `json:"reassign"`
}

// After returns AfterSecs as a duration.
func (l EscalationLevel) After() time.Duration { return time.Duration(l.AfterSecs) * time.Second }

// DefaultLevels is the ladder of a policy created without one: notify at the breach, then
// raise the priority and reassign after escalateAfter more business time.
func DefaultLevels(escalateAfter time.Duration) []EscalationLevel {
	return []EscalationLevel{
		{Notify: true},
		{AfterSecs: int64(escalateAfter / time.Second), Notify: true, RaisePriority: true, Reassign: true},
	}
}
