package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// slaView is the admin page of SLA policies and lifecycle settings.
type slaView struct {
	Policies   []workflow.Policy
	Settings   workflow.Settings
	Teams      []inbox.Team
	TeamNames  map[int64]string
	Priorities []inbox.Priority
	Days       []weekday
	// PolicyJSON is each policy as the edit form loads it, by id.
	PolicyJSON map[int64]string
}

// weekday is one row of the form's weekly hours: the key the API uses and the day's name.
type weekday struct{ Key, Name string }

// weekdayKeys are the days of the weekly hours, Monday first: the form's key, then the
// catalogue's keys of the day's name and its short name.
var weekdayKeys = [7][3]string{{"mon", "date.monday", "date.mon"}, {"tue", "date.tuesday", "date.tue"},
	{"wed", "date.wednesday", "date.wed"}, {"thu", "date.thursday", "date.thu"}, {"fri", "date.friday", "date.fri"},
	{"sat", "date.saturday", "date.sat"}, {"sun", "date.sunday", "date.sun"}}

// weekdays are the rows of the weekly hours, Monday first, named in the language of w.
func weekdays(w words) []weekday {
	out := make([]weekday, len(weekdayKeys))
	for i, d := range weekdayKeys {
		out[i] = weekday{Key: d[0], Name: w.t(d[1])}
	}
	return out
}

// adminSLA is GET /admin/sla. Its script adds policies (POST /api/v1/sla/policies) and saves
// the settings (PUT /api/v1/sla/settings), with the session and its cross-origin check.
func (s *Server) adminSLA(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.sla.Policies(r.Context())
	if err != nil {
		return err
	}
	set, err := s.sla.Settings(r.Context())
	if err != nil {
		return err
	}
	teams, names, err := s.teamNames(r)
	if err != nil {
		return err
	}
	v := slaView{Policies: ps, Settings: set, Teams: teams, TeamNames: names, Priorities: priorities,
		Days: weekdays(s.words(r)), PolicyJSON: make(map[int64]string, len(ps))}
	for _, p := range ps {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		v.PolicyJSON[p.ID] = string(b)
	}
	s.render(w, r, http.StatusOK, "admin_sla", page{Title: s.words(r).t("title.sla_policies"), Agent: agentFrom(r.Context()), Nav: "admin", Body: v})
	return nil
}

// calendarText describes a calendar on one line: its zone, then each open day with its hours
// ("UTC: Mon 09:00-17:00; Tue 09:00-12:00, 13:00-17:00"), or around the clock, then holidays.
func calendarText(w words, c sla.Calendar) string {
	var days []string
	for i, d := range weekdayKeys {
		shifts := c.Week[(i+1)%7] // time.Weekday: Sunday is 0
		if len(shifts) == 0 {
			continue
		}
		hours := make([]string, len(shifts))
		for j, sh := range shifts {
			hours[j] = sh.String()
		}
		days = append(days, w.t(d[2])+" "+strings.Join(hours, ", "))
	}
	week := w.t("admin.sla.around_the_clock")
	if len(days) > 0 {
		week = strings.Join(days, "; ")
	}
	if n := len(c.Holidays); n > 0 {
		return w.t("admin.sla.calendar_holidays", "zone", c.Zone.String(), "week", week, "count", n)
	}
	return w.t("admin.sla.calendar", "zone", c.Zone.String(), "week", week)
}
