package web

import (
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// dataRightsRoutes mounts a customer's export (a subject access request) and erasure: admins
// only, both audited.
func (s *Server) dataRightsRoutes(m *router) {
	admin := inbox.RoleAdmin
	s.guardAPI(m, "GET /api/v1/contacts/{id}/export", admin, s.exportContact)
	s.guardAPI(m, "POST /api/v1/contacts/{id}/erase", admin, s.eraseContact)
	s.guard(m, "GET /contacts/{id}/export", admin, s.exportContact)
	s.guard(m, "POST /contacts/{id}/erase", admin, s.eraseContactForm)
}

// exportContact is GET /api/v1/contacts/{id}/export and the page's download: everything about
// the customer as JSON.
func (s *Server) exportContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.store.ExportContact(r.Context(), id, auditActorOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="contact-`+strconv.FormatInt(x.Contact.ID, 10)+`.json"`)
	writeJSON(w, http.StatusOK, x)
	return nil
}

// eraseContact is POST /api/v1/contacts/{id}/erase: the customer is erased (204).
func (s *Server) eraseContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.EraseContact(r.Context(), id, auditActorOf(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// eraseContactForm is POST /contacts/{id}/erase: the contact page's erase button (confirm=yes).
func (s *Server) eraseContactForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		return badRequest("tick the box to confirm the erasure")
	}
	if err := s.store.EraseContact(r.Context(), id, auditActorOf(r)); err != nil {
		return err
	}
	http.Redirect(w, r, contactURL(id)+"?saved=erased", http.StatusSeeOther)
	return nil
}
