package email

import (
	"context"
	"io"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// forward makes m the forward of its conversation (inbox.AutoForward): the subject is
// "Fwd: <subject> [#id]" and carries no threading headers (its reader never saw the thread);
// the text is the agent's note, then every message of the conversation before it, internal
// notes and earlier forwards left out, each under who wrote it and when with its lines quoted
// ("> "); the files of those messages are attached (inline images too, as plain attachments,
// since the quote is text).
func (s *Sender) forward(ctx context.Context, m *outgoingMail, out channels.Outgoing) error {
	m.inReplyTo, m.references = "", nil
	m.subject = "Fwd: " + subjectFor(out.Conversation, out.Inbox.Name, false)
	msgs, err := s.store.Messages(ctx, out.Conversation.ID, 0, 0)
	if err != nil {
		return temporary(err)
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(m.text))
	for _, q := range msgs {
		if q.ID >= out.Message.ID {
			break
		}
		if q.Direction == inbox.DirectionNote || q.Auto == inbox.AutoForward {
			continue
		}
		b.WriteString("\n\n----------\nFrom: " + m.author(q, out) + "\nDate: " + q.CreatedAt.UTC().Format(time.RFC1123Z) + "\n\n")
		for _, line := range strings.Split(strings.TrimSpace(q.Text), "\n") {
			b.WriteString(strings.TrimRight("> "+line, " ") + "\n")
		}
		for _, a := range q.Attachments {
			id := a.ID
			a.ContentID = ""
			m.files = append(m.files, channels.File{Attachment: a,
				Open: func(ctx context.Context) (io.ReadCloser, error) { return s.store.OpenAttachment(ctx, id) }})
		}
	}
	m.text = b.String()
	return nil
}

// author is who wrote message q, as the forward shows it: the customer's address (and name)
// for what came in, the inbox for what went out.
func (m *outgoingMail) author(q inbox.Message, out channels.Outgoing) string {
	if q.Direction != inbox.DirectionInbound {
		return m.from.String()
	}
	addr := ""
	if e, ok := q.Metadata["email"].(map[string]any); ok {
		addr, _ = e["from"].(string)
	}
	if addr == "" {
		return out.Contact.Name
	}
	return (&gomail.Address{Name: out.Contact.Name, Address: addr}).String()
}
