package web

import (
	"html/template"
	"time"

	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// registerFuncs are the template functions of the complaint register and the breach log.
func registerFuncs() template.FuncMap {
	return template.FuncMap{
		"stageName": func(s workflow.Stage) string {
			return map[workflow.Stage]string{workflow.StageReceived: "Received", workflow.StageAcknowledged: "Acknowledged",
				workflow.StageInProgress: "In progress", workflow.StageResolved: "Resolved", workflow.StageConfirmed: "Confirmed"}[s]
		},
		"slaName": func(s string) string {
			return map[string]string{"none": "no SLA", "on_track": "on track", "at_risk": "at risk", "breached": "breached", "met": "met"}[s]
		},
		"targetName": func(t sla.Target) string {
			return map[sla.Target]string{sla.FirstResponse: "First response", sla.NextResponse: "Next response", sla.Resolution: "Resolution"}[t]
		},
		"outcomeName": outcomeName,
		"ms": func(v any) string {
			var n int64
			switch x := v.(type) {
			case int64:
				n = x
			case *int64:
				if x == nil {
					return "—"
				}
				n = *x
			}
			if n < 1000 {
				return "0s"
			}
			return formatDuration(time.Duration(n) * time.Millisecond)
		},
	}
}

// outcomeName is a follow-up's outcome in words.
func outcomeName(o workflow.RecoveryOutcome) string {
	return map[workflow.RecoveryOutcome]string{workflow.OutcomeContacted: "contacted", workflow.OutcomeRefunded: "refunded",
		workflow.OutcomeReplaced: "replaced", workflow.OutcomeApologised: "apologised", workflow.OutcomeNoAction: "no action"}[o]
}
