package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// inboundRequest is the API channel's message: an integration's customer message.
type inboundRequest struct {
	ExternalID string `json:"external_id"`
	Contact    struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Phone string `json:"phone"`
		// Attributes set the contact's custom attributes (admin-defined, validated).
		Attributes map[string]any `json:"attributes"`
	} `json:"contact"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// errInboundCaller refuses an inbound message from anyone but an integration or an admin.
var errInboundCaller = &apiError{http.StatusForbidden, "forbidden",
	"only an integration token or an admin may post inbound messages: an admin makes one with `parley token add --integration` or on the API tokens admin page"}

// inbound is POST /api/v1/inbound: 201 with the ids of a newly stored message, 200 with the
// same ids when the external_id was already stored (nothing is stored twice). Only an
// integration token or an admin may call it (else 403), since the identities it names are
// stored as verified. contact.attributes, checked before anything is stored, set the contact's
// custom attributes in the message's own transaction (the routing rules see them); a
// redelivery sets none.
func (s *Server) inbound(w http.ResponseWriter, r *http.Request) error {
	if !isIntegration(r.Context()) && agentFrom(r.Context()).Role != inbox.RoleAdmin {
		return errInboundCaller
	}
	var req inboundRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: req.ExternalID, Name: req.Contact.Name,
		Subject: req.Subject, Text: req.Text, Attributes: req.Contact.Attributes, AttributesBy: auditActorOf(r)}
	// The integration is authenticated with an integration token (or is an admin), so the
	// addresses it gives are trusted (verified), unlike an address a visitor types into the chat
	// widget.
	switch {
	case req.Contact.Email != "":
		in.From = inbox.Identity{Kind: inbox.IdentityEmail, Address: req.Contact.Email, Verified: true}
		if req.Contact.Phone != "" {
			in.Also = []inbox.Identity{{Kind: inbox.IdentityPhone, Address: req.Contact.Phone, Verified: true}}
		}
	case req.Contact.Phone != "":
		in.From = inbox.Identity{Kind: inbox.IdentityPhone, Address: req.Contact.Phone, Verified: true}
	default:
		return badRequest("contact needs an email or a phone")
	}
	res, err := s.store.Ingest(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]int64{
		"conversation_id": res.ConversationID, "message_id": res.MessageID, "contact_id": res.ContactID})
	return nil
}
