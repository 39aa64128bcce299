package workflow

import (
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// routingJobs maps an event to the routing and assignment jobs it causes (see jobsFor):
//   - (a new conversation is triaged, TriageArgs, which Enqueue adds once for all the
//     conversations a change creates;)
//   - an agent who becomes available, or whose conversation is unassigned, reassigned to
//     someone else, resolved or closed, has room again: their teams' queues are served
//     (AssignWaitingArgs{AgentID});
//   - a conversation that starts waiting (unassigned, reopened without an agent, moved to
//     another team without one) is served by its team (AssignWaitingArgs{TeamID}).
func routingJobs(ev inbox.Event) []river.InsertManyParams {
	var out []river.InsertManyParams
	add := func(args river.JobArgs) { out = append(out, river.InsertManyParams{Args: args}) }
	switch ev.Type {
	case inbox.EventAgentAvailability:
		if ev.Data["availability"] == inbox.AvailabilityAvailable {
			add(AssignWaitingArgs{AgentID: ev.AgentID})
		}
	case inbox.EventConversationAssigned:
		if from, _ := ev.Data["from"].(int64); from != 0 {
			add(AssignWaitingArgs{AgentID: from})
		}
		if ev.AssigneeID == 0 && ev.TeamID != 0 && active(ev.Status) {
			add(AssignWaitingArgs{TeamID: ev.TeamID})
		}
	case inbox.EventConversationStatus:
		switch {
		case !active(ev.Status) && ev.AssigneeID != 0:
			add(AssignWaitingArgs{AgentID: ev.AssigneeID})
		case active(ev.Status) && !active(inbox.Status(ev.Previous)) && ev.AssigneeID == 0 && ev.TeamID != 0:
			add(AssignWaitingArgs{TeamID: ev.TeamID})
		}
	case inbox.EventConversationTeam:
		if ev.AssigneeID == 0 && ev.TeamID != 0 && active(ev.Status) {
			add(AssignWaitingArgs{TeamID: ev.TeamID})
		}
	}
	return out
}
