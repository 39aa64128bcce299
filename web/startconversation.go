package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// startRequest is the body of POST /api/v1/conversations.
type startRequest struct {
	ContactID int64         `json:"contact_id"`
	To        string        `json:"to"`
	Channel   inbox.Channel `json:"channel"`
	InboxID   int64         `json:"inbox_id"`
	Subject   string        `json:"subject"`
	Text      string        `json:"text"`
}

// startConversation is POST /api/v1/conversations: an agent starts an email or an SMS to a
// contact (contact_id) or to an address or number (to) from one of their inboxes
// (inbox.Scope.StartConversation). 201 with the conversation and its messages, as GET
// /api/v1/conversations/{id} answers; 400 naming what is wrong; 404 for an inbox or contact
// the agent may not see; 409 for an SMS to a number that texted STOP. An Idempotency-Key header
// makes a repeat of the request answer the conversation it started (Idempotent-Replayed: true)
// without writing again; the key with another body is a 409.
func (s *Server) startConversation(w http.ResponseWriter, r *http.Request) error {
	var req startRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	st, err := sc.StartConversation(r.Context(), inbox.NewConversation{ContactID: req.ContactID, To: req.To,
		Channel: req.Channel, InboxID: req.InboxID, Subject: req.Subject, Text: req.Text, Key: r.Header.Get("Idempotency-Key")},
		inbox.Actor{AgentID: agentFrom(r.Context()).ID})
	if err != nil {
		return err
	}
	if st.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return s.writeConversation(w, r, sc, st.Conversation, http.StatusCreated)
}
