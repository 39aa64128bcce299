package webhook

import "github.com/parleyhq/parley/inbox"

// EventTypes lists every event type an endpoint may subscribe to: the inbox's, and those the
// workflow and the SMS channel announce through the same Publish (named here as strings, since
// they import this package; cmd/parley's TestWebhookEventTypes checks them).
func EventTypes() []string {
	return append(inbox.EventTypes(), "sla.warning", "sla.breach", "sla.escalated", "survey.sent", "survey.answered",
		"contact.sms_consent")
}
