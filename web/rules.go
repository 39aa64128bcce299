package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// rulesAPI serves the routing rules to admins: they decide where every new conversation goes.
type rulesAPI struct {
	rules *workflow.Rules
}

// ruleRoutes mounts the routing rules API, for admins only (403 for anyone else):
//
//	GET    /api/v1/rules        {"rule_sets": [{id, name, mode, position, rules: [...]}]}, in run order
//	POST   /api/v1/rules        a workflow.NewRule; 201 with the stored rule
//	PUT    /api/v1/rules/{id}   a workflow.NewRule replacing the rule's name, conditions and
//	                            actions (rule_set and position empty: kept); 200 with the rule
//	DELETE /api/v1/rules/{id}   204
//	POST   /api/v1/rule-sets    a workflow.RuleSetChange {"name", "mode", "position"}; 200 with the set
func (s *Server) ruleRoutes(m *router) {
	api := &rulesAPI{rules: s.rules}
	s.guardAPI(m, "GET /api/v1/rules", inbox.RoleAdmin, api.list)
	s.guardAPI(m, "POST /api/v1/rules", inbox.RoleAdmin, api.add)
	s.guardAPI(m, "DELETE /api/v1/rules/{id}", inbox.RoleAdmin, api.delete)
	s.guardAPI(m, "PUT /api/v1/rules/{id}", inbox.RoleAdmin, api.update)
	s.guardAPI(m, "POST /api/v1/rule-sets", inbox.RoleAdmin, api.setRuleSet)
}

func (a *rulesAPI) list(w http.ResponseWriter, r *http.Request) error {
	sets, err := a.rules.Sets(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rule_sets": sets})
	return nil
}

func (a *rulesAPI) add(w http.ResponseWriter, r *http.Request) error {
	var nr workflow.NewRule
	if err := decode(w, r, &nr); err != nil {
		return err
	}
	rule, err := a.rules.As(auditActorOf(r)).Add(r.Context(), nr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

func (a *rulesAPI) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.rules.As(auditActorOf(r)).Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *rulesAPI) setRuleSet(w http.ResponseWriter, r *http.Request) error {
	var ch workflow.RuleSetChange
	if err := decode(w, r, &ch); err != nil {
		return err
	}
	set, err := a.rules.As(auditActorOf(r)).SetRuleSet(r.Context(), ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, set)
	return nil
}

func (a *rulesAPI) update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var nr workflow.NewRule
	if err := decode(w, r, &nr); err != nil {
		return err
	}
	rule, err := a.rules.As(auditActorOf(r)).Update(r.Context(), id, nr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}
