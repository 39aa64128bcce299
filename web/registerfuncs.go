package web

import (
	"html/template"
	"time"

	"github.com/parleyhq/parley/workflow"
)

// registerFuncs are the template functions of the complaint register and the breach log (the
// names of their values in words are localNames', in web/i18nnames.go).
func registerFuncs() template.FuncMap {
	return template.FuncMap{
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
