package workflow

import "github.com/parleyhq/parley/inbox"

// NotificationTitle is the one line that says why an agent is told (the centre's entries, the
// mails): "Ann assigned you a conversation", "The customer answered", "SLA at risk".
func NotificationTitle(n inbox.Notification) string {
	actor := n.ActorName
	if actor == "" {
		actor = "Parley"
	}
	switch n.Kind {
	case inbox.NotifyAssigned:
		return actor + " assigned you a conversation"
	case inbox.NotifyCustomerReplied:
		return "The customer answered"
	case inbox.NotifyMentioned:
		return actor + " mentioned you in a note"
	case inbox.NotifySLAWarning:
		return "SLA at risk"
	case inbox.NotifySLABreach:
		return "SLA breached"
	case inbox.NotifyFollowup:
		return "Low score: a follow-up is yours"
	case inbox.NotifySnoozeWoke:
		return "A snoozed conversation woke up"
	}
	return "Something needs you"
}
