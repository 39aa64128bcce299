package web

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// newConvForm is the "New conversation" dialog of the inbox and the contact page
// (partials/newconv.html, js/newconv.js, which posts to POST /api/v1/conversations): the
// inboxes the agent may write from and, on a contact's page, the contact and their addresses.
type newConvForm struct {
	Inboxes []newConvInbox
	// ContactID is the contact the dialog writes to (0: an address typed in the dialog).
	ContactID int64
	// Email and Phone prefill the "to" field for each channel: the contact's, verified first.
	Email, Phone string
}

// newConvInbox is one inbox the dialog offers.
type newConvInbox struct {
	ID   int64
	Kind inbox.Channel
	Name string
}

// newConvFormOf loads the dialog's choices for the scope's viewer; contact, when not nil, is
// the contact written to.
func newConvFormOf(ctx context.Context, sc inbox.Scope, contact *inbox.Contact) (newConvForm, error) {
	var f newConvForm
	ins, err := sc.StartInboxes(ctx)
	if err != nil {
		return f, err
	}
	for _, in := range ins {
		f.Inboxes = append(f.Inboxes, newConvInbox{ID: in.ID, Kind: in.Kind, Name: in.Name})
	}
	if contact == nil {
		return f, nil
	}
	f.ContactID = contact.ID
	f.Email = addressOf(contact.Identities, inbox.IdentityEmail)
	f.Phone = addressOf(contact.Identities, inbox.IdentityPhone)
	return f, nil
}

// addressOf is the address of kind among ids that a conversation started with the contact
// uses: verified first, then the most recent (inbox.Scope.StartConversation's choice).
func addressOf(ids []inbox.Identity, kind inbox.IdentityKind) string {
	var best *inbox.Identity
	for i, id := range ids {
		if id.Kind != kind {
			continue
		}
		if best == nil || id.Verified && !best.Verified || id.Verified == best.Verified && id.ID > best.ID {
			best = &ids[i]
		}
	}
	if best == nil {
		return ""
	}
	return best.Address
}
