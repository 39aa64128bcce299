package web

import "github.com/parleyhq/parley/inbox"

// notifyKeys are the catalogue's titles of each kind of notification.
var notifyKeys = map[string]string{
	inbox.NotifyAssigned:        "notify.assigned",
	inbox.NotifyCustomerReplied: "notify.customer_replied",
	inbox.NotifyMentioned:       "notify.mentioned",
	inbox.NotifySLAWarning:      "notify.sla_warning",
	inbox.NotifySLABreach:       "notify.sla_breach",
	inbox.NotifyFollowup:        "notify.followup",
	inbox.NotifySnoozeWoke:      "notify.snooze_woke",
}

// notificationTitle is what the bell's list and the browser's notification say of n, in the
// request's language: who did what ("Sam assigned you a conversation").
func (w words) notificationTitle(n inbox.Notification) string {
	actor := n.ActorName
	if actor == "" {
		actor = "Parley"
	}
	key, ok := notifyKeys[n.Kind]
	if !ok {
		key = "notify.other"
	}
	return w.t(key, "actor", actor)
}
