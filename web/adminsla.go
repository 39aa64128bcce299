package web

import (
	"encoding/json"
	"fmt"
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

// weekdays are the rows of the weekly hours, Monday first.
var weekdays = []weekday{{"mon", "Monday"}, {"tue", "Tuesday"}, {"wed", "Wednesday"}, {"thu", "Thursday"},
	{"fri", "Friday"}, {"sat", "Saturday"}, {"sun", "Sunday"}}

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
		Days: weekdays, PolicyJSON: make(map[int64]string, len(ps))}
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
func calendarText(c sla.Calendar) string {
	var days []string
	for i, d := range weekdays {
		shifts := c.Week[(i+1)%7] // time.Weekday: Sunday is 0
		if len(shifts) == 0 {
			continue
		}
		hours := make([]string, len(shifts))
		for j, sh := range shifts {
			hours[j] = sh.String()
		}
		days = append(days, d.Name[:3]+" "+strings.Join(hours, ", "))
	}
	week := "around the clock"
	if len(days) > 0 {
		week = strings.Join(days, "; ")
	}
	out := c.Zone.String() + ": " + week
	if n := len(c.Holidays); n == 1 {
		out += "; 1 holiday"
	} else if n > 1 {
		out += fmt.Sprintf("; %d holidays", n)
	}
	return out
}
