package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// slaView is the admin page of SLA policies and lifecycle settings.
type slaView struct {
	Policies   []workflow.Policy
	Settings   workflow.Settings
	Teams      []inbox.Team
	TeamNames  map[int64]string
	Priorities []inbox.Priority
	Days       []string
}

// adminSLA is GET /admin/sla. Its script adds policies (POST /api/v1/sla/policies) and saves
// the settings (PUT /api/v1/sla/settings), with the session and its cross-origin check.
func (s *Server) adminSLA(w http.ResponseWriter, r *http.Request) error {
	sla := workflow.NewSLA(s.pool, s.store)
	ps, err := sla.Policies(r.Context())
	if err != nil {
		return err
	}
	set, err := sla.Settings(r.Context())
	if err != nil {
		return err
	}
	teams, names, err := s.teamNames(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_sla", page{Title: "SLA policies", Agent: agentFrom(r.Context()), Nav: "admin",
		Body: slaView{Policies: ps, Settings: set, Teams: teams, TeamNames: names, Priorities: priorities,
			Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}})
	return nil
}

// calendarText describes a calendar on one line: its zone, shifts by day and holidays.
func calendarText(c workflow.Calendar) string {
	b, err := json.Marshal(c.Week)
	week := string(b)
	if err != nil || week == "{}" {
		week = "24x7"
	}
	out := c.Zone.String() + " " + week
	if len(c.Holidays) > 0 {
		out += fmt.Sprintf(", %d holidays", len(c.Holidays))
	}
	return out
}
