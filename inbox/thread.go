package inbox

// Reasons a message joined (or started) a conversation, stored on the message as threaded_by.
const (
	ThreadedByReference   = "references"   // email In-Reply-To/References named a message we hold
	ThreadedByContactOpen = "contact-open" // the contact's active conversation took it
	ThreadedByReopened    = "reopened"     // it reopened the contact's resolved conversation
	ThreadedByNew         = "new"          // nothing matched: a new conversation
	ThreadedByAfterClosed = "after-closed" // the matching conversation was closed: a new, linked one
	ThreadedByAgent       = "agent"        // an agent's own reply or note
)

// candidate is a conversation a new inbound message could join, with why.
type candidate struct {
	id     int64
	status Status
	reason string
}

// threadDecision says where an inbound message goes.
type threadDecision struct {
	conversationID int64  // 0: start a new conversation
	previousID     int64  // a new conversation links to this closed one
	reopen         bool   // move the conversation from resolved back to open
	wake           bool   // move it from pending (waiting on the customer) or snoozed to open
	reason         string // stored as threaded_by
}

// decideThread picks the conversation for an inbound message. Candidates come in priority order:
// explicit references (email headers), then channel hints (a plus-address or subject token, a
// Slack thread), then the contact's latest conversation. The first candidate wins: an active one
// takes the message; a resolved one is reopened (not by automatic mail such as auto-replies and
// bounces, which are filed without waking anyone); a closed one is final, so a new conversation
// starts, linked to it.
func decideThread(cands []candidate, auto bool) threadDecision {
	if len(cands) == 0 {
		return threadDecision{reason: ThreadedByNew}
	}
	c := cands[0]
	switch c.status {
	case StatusClosed:
		return threadDecision{previousID: c.id, reason: ThreadedByAfterClosed}
	case StatusResolved:
		if auto {
			return threadDecision{conversationID: c.id, reason: c.reason}
		}
		reason := c.reason
		if reason == ThreadedByContactOpen {
			reason = ThreadedByReopened
		}
		return threadDecision{conversationID: c.id, reopen: true, reason: reason}
	case StatusPending, StatusSnoozed:
		return threadDecision{conversationID: c.id, wake: !auto, reason: c.reason}
	default:
		return threadDecision{conversationID: c.id, reason: c.reason}
	}
}
