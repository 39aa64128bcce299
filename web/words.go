package web

import (
	"net/http"
	"strings"
	"time"
)

// words is the agent interface's catalogue in one request's language, for the words Go code
// hands the pages: titles, notices and errors, timeline events, durations and dates. Handlers
// get it from s.words(r); the templates' functions of the same words are bound per language in
// newViews.
type words struct {
	cs     *catalogs
	locale string
}

// words is the catalogue in the language of r's pages.
func (s *Server) words(r *http.Request) words {
	return s.ui.views.cs.words(s.ui.views.cs.localeFor(r))
}

// words is the catalogue in locale.
func (cs *catalogs) words(locale string) words { return words{cs: cs, locale: locale} }

// t is key's text with its parameters (name, value pairs) filled in. A key the catalogue lacks
// shows as itself, a gap seen rather than a blank: TestGoCodeShowsNoWordsOutsideTheCatalogue
// keeps every key Go code names in web/i18n/en.json.
func (w words) t(key string, params ...any) string {
	s, err := w.cs.text(w.locale, key, params, func(s string) string { return s })
	if err != nil {
		return key
	}
	return s
}

// durationUnits are the units a span of time is written in, largest first, with their keys.
var durationUnits = []struct {
	size time.Duration
	key  string
}{
	{24 * time.Hour, "duration.days"}, {time.Hour, "duration.hours"},
	{time.Minute, "duration.minutes"}, {time.Second, "duration.seconds"},
}

// duration is how every page shows a span of time: its two largest non-zero units of days,
// hours, minutes and seconds ("45s", "15m", "2h", "2h 30m", "3d", "1d 4h"), the rest dropped;
// nothing (zero or less) is "—".
func (w words) duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		return "—"
	}
	var parts []string
	for _, u := range durationUnits {
		if n := d / u.size; n > 0 && len(parts) < 2 {
			parts = append(parts, w.t(u.key, "count", int64(n)))
			d -= n * u.size
		}
	}
	return strings.Join(parts, " ")
}

// spread is a median or percentile of n durations as duration writes it, except that it shows
// zero seconds rather than "—" once there is at least one value: a dash means no value.
func (w words) spread(n int64, d time.Duration) string {
	if n > 0 && d.Round(time.Second) <= 0 {
		return w.t("duration.seconds", "count", 0)
	}
	return w.duration(d)
}

// ago is a compact age: "now", "5m", "3h", "2d", "6w".
func (w words) ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return w.t("ago.now")
	case d < time.Hour:
		return w.t("duration.minutes", "count", int(d.Minutes()))
	case d < 48*time.Hour:
		return w.t("duration.hours", "count", int(d.Hours()))
	case d < 14*24*time.Hour:
		return w.t("duration.days", "count", int(d.Hours()/24))
	}
	return w.t("duration.weeks", "count", int(d.Hours()/24/7))
}

// monthKeys are the months' short names, January first.
var monthKeys = [12]string{"date.jan", "date.feb", "date.mar", "date.apr", "date.may", "date.jun",
	"date.jul", "date.aug", "date.sep", "date.oct", "date.nov", "date.dec"}

// day is a date without its year, in UTC: "Jan 2".
func (w words) day(t time.Time) string {
	t = t.UTC()
	return w.t("date.day", "month", w.t(monthKeys[t.Month()-1]), "day", t.Day())
}

// clock is an instant to the minute, in UTC: "Jan 2, 15:04 UTC".
func (w words) clock(t time.Time) string {
	t = t.UTC()
	return w.t("date.clock", "month", w.t(monthKeys[t.Month()-1]), "day", t.Day(), "time", t.Format("15:04"))
}

// header is a CSV download's header row: each key's text, in the order given (the columns'
// order is the file's contract; their names are read by people and follow the language).
func (w words) header(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = w.t(k)
	}
	return out
}
