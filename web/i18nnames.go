package web

import (
	"html/template"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// nameKeys are the catalogue keys that name a stored value in words, by kind of value, then
// value. A value without a key is shown as stored.
var nameKeys = map[string]map[string]string{
	"channel": {
		string(inbox.ChannelEmail): "name.channel.email", string(inbox.ChannelSMS): "name.channel.sms",
		string(inbox.ChannelChat): "name.channel.chat", string(inbox.ChannelSlack): "name.channel.slack",
		string(inbox.ChannelAPI): "name.channel.api",
	},
	"stage": {
		string(workflow.StageReceived): "name.stage.received", string(workflow.StageAcknowledged): "name.stage.acknowledged",
		string(workflow.StageInProgress): "name.stage.in_progress", string(workflow.StageResolved): "name.stage.resolved",
		string(workflow.StageConfirmed): "name.stage.confirmed",
	},
	"sla": {
		"none": "name.sla.none", "on_track": "name.sla.on_track", "at_risk": "name.sla.at_risk",
		"breached": "name.sla.breached", "met": "name.sla.met",
	},
	"target": {
		string(sla.FirstResponse): "name.target.first_response", string(sla.NextResponse): "name.target.next_response",
		string(sla.Resolution): "name.target.resolution",
	},
	"outcome": {
		string(workflow.OutcomeContacted): "name.outcome.contacted", string(workflow.OutcomeRefunded): "name.outcome.refunded",
		string(workflow.OutcomeReplaced): "name.outcome.replaced", string(workflow.OutcomeApologised): "name.outcome.apologised",
		string(workflow.OutcomeNoAction): "name.outcome.no_action",
	},
	"status": {
		string(inbox.StatusNew): "name.status.new", string(inbox.StatusOpen): "name.status.open",
		string(inbox.StatusPending): "name.status.pending", string(inbox.StatusSnoozed): "name.status.snoozed",
		string(inbox.StatusResolved): "name.status.resolved", string(inbox.StatusClosed): "name.status.closed",
	},
	"priority": {
		string(inbox.PriorityLow): "name.priority.low", string(inbox.PriorityNormal): "name.priority.normal",
		string(inbox.PriorityHigh): "name.priority.high", string(inbox.PriorityUrgent): "name.priority.urgent",
	},
	"role": {
		string(inbox.RoleAgent): "name.role.agent", string(inbox.RoleSupervisor): "name.role.supervisor",
		string(inbox.RoleAdmin): "name.role.admin",
	},
	"availability": {
		inbox.AvailabilityAvailable: "name.availability.available", inbox.AvailabilityAway: "name.availability.away",
		inbox.AvailabilityOffline: "name.availability.offline",
	},
}

// name is a stored value of a kind (a key of nameKeys) in words; fallback when it has no key.
func (w words) name(kind, value, fallback string) string {
	if k, ok := nameKeys[kind][value]; ok {
		return w.t(k)
	}
	return fallback
}

// channelName is a channel in words ("Email").
func (w words) channelName(c inbox.Channel) string {
	return w.name("channel", string(c), channelName(c))
}

// statusName is a conversation's status in words ("open"), as a sentence names it.
func (w words) statusName(s string) string { return w.name("status", s, s) }

// priorityName is a conversation's priority in words ("urgent"), as a sentence names it.
func (w words) priorityName(p string) string { return w.name("priority", p, p) }

// outcomeName is a follow-up's outcome in words.
func outcomeName(w words, o workflow.RecoveryOutcome) string {
	return w.name("outcome", string(o), string(o))
}

// localNames are the template functions that name a value in words (a channel, a complaint's
// stage, an SLA state, a target, a follow-up's outcome, a status, a priority, a role, an
// availability), in the language of w. A value without a key is shown as stored.
func localNames(w words) template.FuncMap {
	return template.FuncMap{
		"channel":      w.channelName,
		"stageName":    func(s workflow.Stage) string { return w.name("stage", string(s), "") },
		"slaName":      func(s string) string { return w.name("sla", s, "") },
		"targetName":   func(t sla.Target) string { return w.name("target", string(t), "") },
		"outcomeName":  func(o workflow.RecoveryOutcome) string { return outcomeName(w, o) },
		"statusName":   func(s any) string { return w.statusName(printable(s)) },
		"priorityName": func(p any) string { return w.priorityName(printable(p)) },
		"roleName":     func(r any) string { return w.name("role", printable(r), printable(r)) },
		"availName":    func(a any) string { return w.name("availability", printable(a), printable(a)) },
	}
}
