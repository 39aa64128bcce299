package web

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// signatureRoutes mount the signatures appended to email replies: an agent's own (their
// settings page and GET/PUT /api/v1/me/signature) and an inbox's (for admins, on the inbox's
// admin page, through GET/PUT /api/v1/inboxes/{id}/signature). js/signature.js edits both.
func (s *Server) signatureRoutes(m *router) {
	s.guard(m, "GET /settings/signature", inbox.RoleAgent, s.signaturePage)
	m.Handle("GET /api/v1/me/signature", s.api(s.getMySignature))
	m.Handle("PUT /api/v1/me/signature", s.api(s.putMySignature))
	s.guardAPI(m, "GET /api/v1/inboxes/{id}/signature", inbox.RoleAdmin, s.getInboxSignature)
	s.guardAPI(m, "PUT /api/v1/inboxes/{id}/signature", inbox.RoleAdmin, s.putInboxSignature)
}

// signaturePage is GET /settings/signature: the agent's own signature (the form is filled and
// saved by js/signature.js).
func (s *Server) signaturePage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "settings_signature", page{Title: s.words(r).t("title.signature"), Agent: agentFrom(r.Context()), Nav: "settings"})
	return nil
}

// getMySignature is GET /api/v1/me/signature.
func (s *Server) getMySignature(w http.ResponseWriter, r *http.Request) error {
	g, err := s.store.AgentSignature(r.Context(), agentFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// putMySignature is PUT /api/v1/me/signature {"text", "html"}: 200 with what was saved (the
// HTML sanitized); too long is 400.
func (s *Server) putMySignature(w http.ResponseWriter, r *http.Request) error {
	var req inbox.Signature
	if err := decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.store.SetAgentSignature(r.Context(), agentFrom(r.Context()).ID, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// getInboxSignature is GET /api/v1/inboxes/{id}/signature.
func (s *Server) getInboxSignature(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := s.store.InboxSignature(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// putInboxSignature is PUT /api/v1/inboxes/{id}/signature {"text", "html"}: 200 with what was
// saved (the HTML sanitized), audited as an inbox change.
func (s *Server) putInboxSignature(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req inbox.Signature
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var g inbox.Signature
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		g, err = s.store.SetInboxSignatureTx(r.Context(), tx, id, req)
		return auditActorOf(r).Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", id),
			map[string]any{"action": "signature"}), err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}
