package web

import (
	"encoding/json"
	"net/http"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// rulesView is the admin page of routing rules: the rule sets in run order with their rules,
// and what a rule may name: teams, inboxes, companies and the contact attributes.
type rulesView struct {
	Sets       []workflow.RuleSet
	Teams      []inbox.Team
	TeamNames  map[int64]string
	Channels   []inbox.Channel
	Priorities []inbox.Priority
	Inboxes    []inbox.Inbox
	InboxNames map[int64]string
	Companies  []inbox.Company
	// CompanyNames maps the companies' ids to names; a rule naming one deleted since shows its id.
	CompanyNames map[int64]string
	Attributes   []inbox.AttributeDef
	// RuleJSON is each rule as the edit form loads it, by id.
	RuleJSON map[int64]string
	// AttrJSON is the attribute definitions for the form's script.
	AttrJSON string
}

// adminRules is GET /admin/rules. Its script adds and edits rules through the rules API
// (/api/v1/rules, /api/v1/rule-sets), with the session and its cross-origin check.
func (s *Server) adminRules(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sets, err := s.rules.Sets(ctx)
	if err != nil {
		return err
	}
	teams, names, err := s.teamNames(r)
	if err != nil {
		return err
	}
	v := rulesView{Sets: sets, Teams: teams, TeamNames: names, Channels: listChannels, Priorities: priorities,
		InboxNames: map[int64]string{}, CompanyNames: map[int64]string{}, RuleJSON: map[int64]string{}}
	if v.Inboxes, err = s.store.Inboxes(ctx, ""); err != nil {
		return err
	}
	for _, in := range v.Inboxes {
		v.InboxNames[in.ID] = in.Name
	}
	if v.Companies, err = s.store.Companies(ctx, ""); err != nil {
		return err
	}
	for _, c := range v.Companies {
		v.CompanyNames[c.ID] = c.Name
	}
	if v.Attributes, err = s.store.AttributeDefs(ctx, inbox.AttrContact); err != nil {
		return err
	}
	for _, set := range sets {
		for _, rule := range set.Rules {
			b, err := json.Marshal(rule)
			if err != nil {
				return err
			}
			v.RuleJSON[rule.ID] = string(b)
		}
	}
	b, err := json.Marshal(v.Attributes)
	if err != nil {
		return err
	}
	v.AttrJSON = string(b)
	s.render(w, r, http.StatusOK, "admin_rules", page{Title: s.words(r).t("title.routing_rules"), Agent: agentFrom(ctx), Nav: "admin", Body: v})
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
