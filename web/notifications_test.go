package web

import (
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestNotificationGoesToItsAgentOnly: a notification.created event reaches the socket of the
// agent it names and no other, supervisors included, whatever conversation it is about.
func TestNotificationGoesToItsAgentOnly(t *testing.T) {
	agent := &client{agent: inbox.Agent{ID: 7, Role: inbox.RoleAgent}, viewer: inbox.Viewer{AgentID: 7, TeamIDs: []int64{3}}}
	other := &client{agent: inbox.Agent{ID: 9, Role: inbox.RoleAgent}, viewer: inbox.Viewer{AgentID: 9, TeamIDs: []int64{3}}}
	sup := &client{agent: inbox.Agent{ID: 8, Role: inbox.RoleSupervisor}, viewer: inbox.Viewer{AgentID: 8, All: true}}
	for _, e := range []inbox.Event{
		{Type: inbox.EventNotificationCreated, AgentID: 7, Data: map[string]any{"conversation_id": float64(1)}},
		{Type: inbox.EventNotificationCreated, AgentID: 7, ConversationID: 1, TeamID: 3, AssigneeID: 9},
	} {
		if !agent.sees(e) || other.sees(e) || sup.sees(e) {
			t.Errorf("%+v: agent 7 sees %v, agent 9 %v, supervisor %v; want agent 7 alone", e, agent.sees(e), other.sees(e), sup.sees(e))
		}
	}
}
