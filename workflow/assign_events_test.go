package workflow

import (
	"reflect"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

func TestRoutingJobs(t *testing.T) {
	t.Parallel()
	const conv, team, ann, bob = 7, 3, 11, 12
	open, resolved := inbox.StatusOpen, inbox.StatusResolved
	tests := []struct {
		name string
		ev   inbox.Event
		want []river.JobArgs
	}{
		{"new conversation: triaged, once for every conversation of the change (Enqueue)",
			inbox.Event{Type: inbox.EventConversationCreated, ConversationID: conv, TeamID: team, Status: inbox.StatusNew}, nil},
		{"agent available",
			inbox.Event{Type: inbox.EventAgentAvailability, AgentID: ann, Data: map[string]any{"availability": "available"}},
			[]river.JobArgs{AssignWaitingArgs{AgentID: ann}}},
		{"agent away", inbox.Event{Type: inbox.EventAgentAvailability, AgentID: ann, Data: map[string]any{"availability": "away"}}, nil},
		{"assigned from nobody",
			inbox.Event{Type: inbox.EventConversationAssigned, ConversationID: conv, TeamID: team, AssigneeID: ann, Status: open, Data: map[string]any{"from": int64(0)}},
			nil},
		{"reassigned: the previous agent has room",
			inbox.Event{Type: inbox.EventConversationAssigned, ConversationID: conv, TeamID: team, AssigneeID: bob, Status: open, Data: map[string]any{"from": int64(ann)}},
			[]river.JobArgs{AssignWaitingArgs{AgentID: ann}}},
		{"unassigned: room for the agent, and the conversation waits in its team",
			inbox.Event{Type: inbox.EventConversationAssigned, ConversationID: conv, TeamID: team, Status: open, Data: map[string]any{"from": int64(ann)}},
			[]river.JobArgs{AssignWaitingArgs{AgentID: ann}, AssignWaitingArgs{TeamID: team}}},
		{"resolved by its agent",
			inbox.Event{Type: inbox.EventConversationStatus, ConversationID: conv, TeamID: team, AssigneeID: ann, Status: resolved, Previous: "open"},
			[]river.JobArgs{AssignWaitingArgs{AgentID: ann}}},
		{"resolved without an agent", inbox.Event{Type: inbox.EventConversationStatus, ConversationID: conv, TeamID: team, Status: resolved, Previous: "open"}, nil},
		{"reopened without an agent",
			inbox.Event{Type: inbox.EventConversationStatus, ConversationID: conv, TeamID: team, Status: open, Previous: "resolved"},
			[]river.JobArgs{AssignWaitingArgs{TeamID: team}}},
		{"reopened with its agent", inbox.Event{Type: inbox.EventConversationStatus, ConversationID: conv, TeamID: team, AssigneeID: ann, Status: open, Previous: "resolved"}, nil},
		{"pending to open", inbox.Event{Type: inbox.EventConversationStatus, ConversationID: conv, TeamID: team, Status: open, Previous: "pending"}, nil},
		{"moved to a team without an agent",
			inbox.Event{Type: inbox.EventConversationTeam, ConversationID: conv, TeamID: team, Status: open},
			[]river.JobArgs{AssignWaitingArgs{TeamID: team}}},
		{"moved with its agent", inbox.Event{Type: inbox.EventConversationTeam, ConversationID: conv, TeamID: team, AssigneeID: ann, Status: open}, nil},
		{"message", inbox.Event{Type: inbox.EventMessageCreated, ConversationID: conv, Direction: inbox.DirectionInbound}, nil},
	}
	for _, tt := range tests {
		var got []river.JobArgs
		for _, p := range routingJobs(tt.ev) {
			got = append(got, p.Args)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: jobs = %#v, want %#v", tt.name, got, tt.want)
		}
	}
}
