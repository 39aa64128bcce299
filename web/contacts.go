package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// getContact is GET /api/v1/contacts/{id}: the customer's identities across channels and their
// conversations on every channel (newest first, up to 100).
func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	c, err := sc.GetContact(r.Context(), id)
	if err != nil {
		return err
	}
	page, err := sc.ListConversations(r.Context(), inbox.ConversationQuery{ContactID: c.ID, Limit: 100})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		inbox.Contact
		Conversations []inbox.Conversation `json:"conversations"`
	}{c, page.Conversations})
	return nil
}

// merge is POST /api/v1/contacts/{id}/merge {"other_id": N}: other folds into id. It answers
// the contact as merged with merge_id, which POST /api/v1/merges/{id}/undo takes.
func (s *Server) merge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		OtherID int64 `json:"other_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.OtherID <= 0 {
		return badRequest("other_id must be a contact id")
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, mergeID, err := sc.MergeAndRecord(r.Context(), id, req.OtherID, inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		inbox.Contact
		MergeID int64 `json:"merge_id"`
	}{c, mergeID})
	return nil
}
