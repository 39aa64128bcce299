package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// forward is POST /api/v1/conversations/{id}/forward {"to": address, "note": text}: the
// conversation sent by email to someone outside (inbox.Store.Forward), 201 with the stored
// message, queued for delivery. A bad address or an empty note is 400 naming it.
func (s *Server) forward(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		To   string `json:"to"`
		Note string `json:"note"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	m, err := sc.Forward(r.Context(), inbox.Forward{ConversationID: id, Author: inbox.Actor{AgentID: agentFrom(r.Context()).ID},
		To: req.To, Note: req.Note})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}
