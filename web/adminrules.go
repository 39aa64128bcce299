package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// rulesView is the admin page of routing rules: the rule sets in run order with their rules,
// and the teams a rule may send conversations to.
type rulesView struct {
	Sets       []workflow.RuleSet
	Teams      []inbox.Team
	TeamNames  map[int64]string
	Channels   []inbox.Channel
	Priorities []inbox.Priority
}

// adminRules is GET /admin/rules. Its script changes the rules through the rules API
// (/api/v1/rules, /api/v1/rule-sets), with the session and its cross-origin check.
func (s *Server) adminRules(w http.ResponseWriter, r *http.Request) error {
	sets, err := workflow.NewRules(s.pool, s.store).Sets(r.Context())
	if err != nil {
		return err
	}
	teams, names, err := s.teamNames(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_rules", page{Title: "Routing rules", Agent: agentFrom(r.Context()), Nav: "admin",
		Body: rulesView{Sets: sets, Teams: teams, TeamNames: names, Channels: listChannels, Priorities: priorities}})
	return nil
}

var priorities = []inbox.Priority{inbox.PriorityLow, inbox.PriorityNormal, inbox.PriorityHigh, inbox.PriorityUrgent}

// teamNames lists the teams and maps their ids to names.
func (s *Server) teamNames(r *http.Request) ([]inbox.Team, map[int64]string, error) {
	teams, err := s.store.Teams(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(teams))
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	return teams, names, nil
}
