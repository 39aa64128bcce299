package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// categoryRoutes mounts categories and resolution codes (the conversation's category action,
// the lists, their admin page, the teams' "require a category" setting), the complaint
// register and the SLA breach log, each behind the role it needs.
func (s *Server) categoryRoutes(m *router, cfg Config) {
	agent, sup, admin := inbox.RoleAgent, inbox.RoleSupervisor, inbox.RoleAdmin
	m.Handle("POST /api/v1/conversations/{id}/category", s.api(s.setCategory))
	s.guardAPI(m, "GET /api/v1/categories", agent, s.listCategories)

	reg := &registerPages{s: s, base: strings.TrimRight(cfg.PublicURL, "/")}
	s.guardAPI(m, "GET /api/v1/complaints", sup, reg.complaintsAPI)
	s.guard(m, "GET /complaints", sup, reg.complaintsPage)
	s.guard(m, "GET /complaints.csv", sup, reg.complaintsCSV)
	s.guard(m, "GET /sla/breaches", sup, reg.breachesPage)
	s.guard(m, "GET /sla/breaches.csv", sup, reg.breachesCSV)

	s.guard(m, "GET /admin/categories", admin, s.adminCategories)
	s.guard(m, "POST /admin/categories", admin, s.saveCategory)
	s.guard(m, "POST /admin/categories/{id}", admin, s.saveCategory)
	s.guard(m, "POST /admin/resolution-codes", admin, s.saveResolutionCode)
	s.guard(m, "POST /admin/resolution-codes/{id}", admin, s.saveResolutionCode)
	s.guard(m, "POST /admin/categories/{id}/delete", admin, s.deleteCategory)
	s.guard(m, "POST /admin/resolution-codes/{id}/delete", admin, s.deleteResolutionCode)
	s.guard(m, "POST /admin/teams/{id}/require-category", admin, s.setRequireCategory)
}

// categoryRequest is the body of POST /api/v1/conversations/{id}/category: the category by id
// or by path (0 or "" clears it), the resolution code by id (0 clears it); what is absent stays.
type categoryRequest struct {
	CategoryID       *int64  `json:"category_id"`
	Category         *string `json:"category"`
	ResolutionCodeID *int64  `json:"resolution_code_id"`
}

// setCategory is POST /api/v1/conversations/{id}/category: 200 with the conversation.
func (s *Server) setCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req categoryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ch, err := s.categoryChange(r.Context(), req)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.Categorize(r.Context(), id, ch, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// categoryChange reads a categoryRequest: a category named by its path is looked up; one named
// both ways must be the same.
func (s *Server) categoryChange(ctx context.Context, req categoryRequest) (inbox.CategoryChange, error) {
	ch := inbox.CategoryChange{CategoryID: req.CategoryID, ResolutionCodeID: req.ResolutionCodeID}
	if req.Category != nil {
		var byPath int64
		if strings.TrimSpace(*req.Category) != "" {
			c, err := s.store.CategoryByPath(ctx, "category", *req.Category)
			if err != nil {
				return ch, err
			}
			byPath = c.ID
		}
		if req.CategoryID != nil && *req.CategoryID != byPath {
			return ch, badRequest("category and category_id name different categories; give one")
		}
		ch.CategoryID = &byPath
	}
	return ch, nil
}

// listCategories is GET /api/v1/categories: the categories and resolution codes, archived
// ones included (marked).
func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		return err
	}
	codes, err := s.store.ResolutionCodes(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": cats, "resolution_codes": codes})
	return nil
}
