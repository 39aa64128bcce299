package web

import (
	"html/template"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// localNames are the template functions that name a value in words (a channel, a complaint's
// stage, an SLA state, a target, a follow-up's outcome), in the language of tr. A value without
// a key is shown as the Go side names it.
func localNames(tr func(string, ...any) (string, error)) template.FuncMap {
	word := func(keys map[string]string, value, fallback string) string {
		if k, ok := keys[value]; ok {
			if s, err := tr(k); err == nil {
				return s
			}
		}
		return fallback
	}
	channels := map[string]string{
		string(inbox.ChannelEmail): "name.channel.email", string(inbox.ChannelSMS): "name.channel.sms",
		string(inbox.ChannelChat): "name.channel.chat", string(inbox.ChannelSlack): "name.channel.slack",
		string(inbox.ChannelAPI): "name.channel.api",
	}
	stages := map[string]string{
		string(workflow.StageReceived): "name.stage.received", string(workflow.StageAcknowledged): "name.stage.acknowledged",
		string(workflow.StageInProgress): "name.stage.in_progress", string(workflow.StageResolved): "name.stage.resolved",
		string(workflow.StageConfirmed): "name.stage.confirmed",
	}
	states := map[string]string{
		"none": "name.sla.none", "on_track": "name.sla.on_track", "at_risk": "name.sla.at_risk",
		"breached": "name.sla.breached", "met": "name.sla.met",
	}
	targets := map[string]string{
		string(sla.FirstResponse): "name.target.first_response", string(sla.NextResponse): "name.target.next_response",
		string(sla.Resolution): "name.target.resolution",
	}
	outcomes := map[string]string{
		string(workflow.OutcomeContacted): "name.outcome.contacted", string(workflow.OutcomeRefunded): "name.outcome.refunded",
		string(workflow.OutcomeReplaced): "name.outcome.replaced", string(workflow.OutcomeApologised): "name.outcome.apologised",
		string(workflow.OutcomeNoAction): "name.outcome.no_action",
	}
	return template.FuncMap{
		"channel":     func(c inbox.Channel) string { return word(channels, string(c), channelName(c)) },
		"stageName":   func(s workflow.Stage) string { return word(stages, string(s), "") },
		"slaName":     func(s string) string { return word(states, s, "") },
		"targetName":  func(t sla.Target) string { return word(targets, string(t), "") },
		"outcomeName": func(o workflow.RecoveryOutcome) string { return word(outcomes, string(o), outcomeName(o)) },
	}
}
