package workflow

import (
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// lifecycleJobs maps one event to the SLA, auto-close and survey jobs it causes: every change
// that may move a clock (a new conversation; a status, priority or team change; a customer
// message; a public reply by a human agent) recomputes the conversation's clocks; entering
// pending or resolved arms the auto-close timer; a resolution sends a survey. Notes, automatic
// messages, surveys and survey answers move no clock.
func lifecycleJobs(ev inbox.Event) []river.InsertManyParams {
	var out []river.InsertManyParams
	compute := false
	switch ev.Type {
	case inbox.EventConversationCreated, inbox.EventConversationPriority, inbox.EventConversationTeam:
		compute = true
	case inbox.EventConversationStatus:
		compute = true
		if ev.Status == inbox.StatusPending || ev.Status == inbox.StatusResolved {
			out = append(out, river.InsertManyParams{Args: AutoCloseArgs{ConversationID: ev.ConversationID,
				Status: ev.Status, Since: ev.At}})
		}
		if ev.Status == inbox.StatusResolved {
			out = append(out, river.InsertManyParams{Args: SurveyArgs{ConversationID: ev.ConversationID, ResolvedAt: ev.At}})
		}
	case inbox.EventMessageCreated:
		auto, _ := ev.Data["auto"].(string)
		compute = auto == "" && (ev.Direction == inbox.DirectionInbound ||
			ev.Direction == inbox.DirectionOutbound && ev.AgentID != 0)
	}
	if compute && ev.ConversationID != 0 {
		out = append(out, river.InsertManyParams{Args: SLAComputeArgs{ConversationID: ev.ConversationID}})
	}
	return out
}
