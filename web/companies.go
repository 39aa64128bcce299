package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// companyRoutes mounts the companies API: agents list them (to choose a contact's company);
// supervisors add and change them, since a company's domains move contacts into it.
func (s *Server) companyRoutes(m *router) {
	s.guardAPI(m, "GET /api/v1/companies", inbox.RoleAgent, s.listCompanies)
	s.guardAPI(m, "POST /api/v1/companies", inbox.RoleSupervisor, s.createCompany)
	s.guardAPI(m, "PATCH /api/v1/companies/{id}", inbox.RoleSupervisor, s.patchCompany)
	s.guardAPI(m, "GET /api/v1/companies/{id}", inbox.RoleAgent, s.getCompany)
}

// getCompany is GET /api/v1/companies/{id}: one company (any agent may see a company; its
// contacts, through GET /api/v1/contacts?company=, are the ones the caller may see).
func (s *Server) getCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.store.GetCompany(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// listCompanies is GET /api/v1/companies?q=: up to 500 companies by name (q: a name prefix).
func (s *Server) listCompanies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		return badRequest("q is at most 200 characters")
	}
	cs, err := s.store.Companies(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]inbox.Company{"companies": cs})
	return nil
}

// createCompany is POST /api/v1/companies {name, domains, tier, attributes}: 201 with the
// company; contacts known at its domains join it.
func (s *Server) createCompany(w http.ResponseWriter, r *http.Request) error {
	return s.saveCompany(w, r, 0, http.StatusCreated)
}

// patchCompany is PATCH /api/v1/companies/{id}: the fields given change.
func (s *Server) patchCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveCompany(w, r, id, http.StatusOK)
}

func (s *Server) saveCompany(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	var p inbox.CompanyPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	c, err := s.store.SaveCompany(r.Context(), id, p, auditActorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, status, c)
	return nil
}
