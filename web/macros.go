package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// macroRoutes mounts macros: the list and its changes (personal ones by their owner, shared
// ones by admins; the inbox layer decides), running one on a conversation, and the page where
// agents manage theirs.
func (s *Server) macroRoutes(m *router) {
	agent := inbox.RoleAgent
	s.guardAPI(m, "GET /api/v1/macros", agent, s.listMacros)
	s.guardAPI(m, "POST /api/v1/macros", agent, s.createMacro)
	s.guardAPI(m, "PUT /api/v1/macros/{id}", agent, s.updateMacro)
	s.guardAPI(m, "DELETE /api/v1/macros/{id}", agent, s.deleteMacroAPI)
	m.Handle("POST /api/v1/conversations/{id}/macros/{macro}", s.api(s.runMacro))
	s.guard(m, "GET /macros", agent, s.macrosPage)
	s.guard(m, "POST /macros", agent, s.saveMacroForm)
	s.guard(m, "POST /macros/{id}/delete", agent, s.deleteMacroForm)
}

// macroRequest is the body of POST /api/v1/macros and PUT /api/v1/macros/{id}.
type macroRequest struct {
	Name    string              `json:"name"`
	Shared  bool                `json:"shared"`
	Actions []inbox.MacroAction `json:"actions"`
}

// listMacros is GET /api/v1/macros: the macros the caller may run (shared, then by name with
// their own), for the composer's "/" menu and the macro button.
func (s *Server) listMacros(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.Macros(r.Context(), agentFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"macros": list, "placeholders": inbox.Placeholders})
	return nil
}

// createMacro is POST /api/v1/macros: 201 with the macro.
func (s *Server) createMacro(w http.ResponseWriter, r *http.Request) error {
	var req macroRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m, err := s.saveMacro(r, inbox.Macro{Name: req.Name, Shared: req.Shared, Actions: req.Actions})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// updateMacro is PUT /api/v1/macros/{id}: 200 with the macro (its name and actions replaced).
func (s *Server) updateMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req macroRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m, err := s.saveMacro(r, inbox.Macro{ID: id, Name: req.Name, Shared: req.Shared, Actions: req.Actions})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// deleteMacroAPI is DELETE /api/v1/macros/{id}: 204.
func (s *Server) deleteMacroAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.deleteMacro(r, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// saveMacro saves m as the caller, with its entry in the audit log in the same transaction.
func (s *Server) saveMacro(r *http.Request, m inbox.Macro) (inbox.Macro, error) {
	var out inbox.Macro
	err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		out, err = s.store.SaveMacroTx(r.Context(), tx, m, agentFrom(r.Context()))
		action := "created"
		if m.ID != 0 {
			action = "updated"
		}
		return auditActorOf(r).Record(inbox.AuditMacroChanged, inbox.AuditTarget("macro", out.ID),
			map[string]any{"action": action, "name": out.Name, "shared": out.Shared}), err
	})
	return out, err
}

// deleteMacro deletes macro id as the caller, audited.
func (s *Server) deleteMacro(r *http.Request, id int64) error {
	return s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		m, err := s.store.DeleteMacroTx(r.Context(), tx, id, agentFrom(r.Context()))
		return auditActorOf(r).Record(inbox.AuditMacroChanged, inbox.AuditTarget("macro", id),
			map[string]any{"action": "deleted", "name": m.Name, "shared": m.Shared}), err
	})
}

// runMacro is POST /api/v1/conversations/{id}/macros/{macro}: every action of the macro in one
// transaction (Scope.RunMacro), 200 with the conversation. A refused action is 400 (or 409 for
// a closed conversation) naming it, "action 3 (status): ...", and nothing is applied.
func (s *Server) runMacro(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	macroID, err := pathID(r, "macro")
	if err != nil {
		return err
	}
	c, err := sc.RunMacro(r.Context(), id, macroID, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	var me *inbox.MacroError
	if errors.As(err, &me) {
		status, code := statusOf(me.Err)
		return &apiError{status, code, fmt.Sprintf("action %d (%s): %s", me.Index+1, me.Type, publicMessage(me.Err, status, code))}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// macroChoices are the teams and categories the macro form offers.
func (s *Server) macroChoices(ctx context.Context) ([]inbox.Team, []inbox.Category, error) {
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return nil, nil, err
	}
	cats, err := s.store.Categories(ctx)
	return teams, cats, err
}
