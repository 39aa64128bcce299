package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// composerRecipients fill the composer's To and Cc fields of an email reply
// (js/recipients.js): reply-all to the customer's latest email, which the agent may edit.
type composerRecipients struct {
	// Email is set when a reply can go by email: the fields are shown for that channel only.
	Email  bool
	To, Cc string
}

// composerRecipientsOf is the reply-all of conversation id (inbox.Store.ReplyAll), when email
// is one of its reply channels.
func (s *Server) composerRecipientsOf(r *http.Request, id int64, channels []inbox.Channel) (composerRecipients, error) {
	if !slices.Contains(channels, inbox.ChannelEmail) {
		return composerRecipients{}, nil
	}
	all, err := s.store.ReplyAll(r.Context(), id)
	if err != nil {
		return composerRecipients{}, err
	}
	return composerRecipients{Email: true, To: strings.Join(all.To, ", "), Cc: strings.Join(all.Cc, ", ")}, nil
}
