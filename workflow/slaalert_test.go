package workflow_test

import (
	"testing"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/workflow"
)

// An alert's kind is the SLA event that caused it: the contract's kinds are the workflow's
// event types, so a channel that tells a warning from a breach reads the events' names.
func TestAlertKindsAreTheSLAEvents(t *testing.T) {
	for event, kind := range map[string]string{
		workflow.EventSLAWarning:   channels.AlertWarning,
		workflow.EventSLABreach:    channels.AlertBreach,
		workflow.EventSLAEscalated: channels.AlertEscalated,
	} {
		if event != kind {
			t.Errorf("event %q has the alert kind %q", event, kind)
		}
	}
}
