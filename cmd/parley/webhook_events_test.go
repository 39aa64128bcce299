package main

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// TestWebhookEventTypes: the events the workflow and the SMS channel publish, which package
// webhook names as strings (they import it), are ones an endpoint may subscribe to.
func TestWebhookEventTypes(t *testing.T) {
	known := webhook.EventTypes()
	for _, typ := range []string{workflow.EventSLAWarning, workflow.EventSLABreach, workflow.EventSLAEscalated,
		workflow.EventSurveySent, workflow.EventSurveyAnswered, sms.EventConsent} {
		if !slices.Contains(known, typ) {
			t.Errorf("webhook.EventTypes lacks %q", typ)
		}
	}
}
