package email

import (
	"context"
	"errors"

	gomail "github.com/emersion/go-message/mail"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// envelope is who an outbound email goes to: To and Cc are written as headers, Bcc is sent
// in the SMTP envelope only.
type envelope struct {
	to, cc, bcc []*gomail.Address
}

// envelope lists every recipient's address, for RCPT TO.
func (e envelope) envelope() []string {
	var out []string
	for _, l := range [][]*gomail.Address{e.to, e.cc, e.bcc} {
		for _, a := range l {
			out = append(out, a.Address)
		}
	}
	return out
}

// recipients are the message's stored recipients (inbox.RecipientsOf), with the customer's
// address (recipient) as To when none is stored. The contact's own addresses carry their name.
func (s *Sender) recipients(ctx context.Context, out channels.Outgoing, parentID int64) (envelope, error) {
	rc, _ := inbox.RecipientsOf(out.Message)
	var e envelope
	if len(rc.To) == 0 {
		to, err := s.recipient(ctx, out, parentID)
		if err != nil {
			return e, err
		}
		e.to = []*gomail.Address{to}
	}
	for _, l := range []struct {
		in  []string
		out *[]*gomail.Address
	}{{rc.To, &e.to}, {rc.Cc, &e.cc}, {rc.Bcc, &e.bcc}} {
		for _, addr := range l.in {
			name := ""
			if out.Message.Auto != inbox.AutoForward && contactHas(out.Contact, addr) {
				name = out.Contact.Name
			}
			a, err := parseRecipient(addr, name)
			if err != nil {
				return e, err
			}
			*l.out = append(*l.out, a)
		}
	}
	return e, nil
}

// contactHas reports whether addr is one of the contact's email addresses.
func contactHas(c inbox.Contact, addr string) bool {
	for _, id := range c.Identities {
		if id.Kind == inbox.IdentityEmail && id.Address == addr {
			return true
		}
	}
	return false
}

// composeError classifies a failure while the email was written: a file gone from the store
// is permanent (no retry brings it back); anything else may pass when tried again.
func composeError(err error) error {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, inbox.ErrNotFound) {
		return permanent("%v", err)
	}
	return temporary(err)
}
