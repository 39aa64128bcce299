package web

import (
	"html/template"
	"time"
)

// registerFuncs are the template functions of the complaint register and the breach log (the
// names of their values in words are localNames', in web/i18nnames.go).
func registerFuncs(w words) template.FuncMap {
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
				return w.t("duration.seconds", "count", 0)
			}
			return w.duration(time.Duration(n) * time.Millisecond)
		},
	}
}
