package email

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/channels"
)

// sign ends an agent's reply with the agent's signature and then the inbox's (inbox.Signatures):
// in the text after the "-- " separator line, in the HTML as the saved (sanitized) HTML, each
// standing in for the other when only one form was written. System messages are not signed.
func (s *Sender) sign(ctx context.Context, m *outgoingMail, out channels.Outgoing) error {
	if out.Message.Auto != "" || out.Message.AuthorAgentID == nil || out.Inbox == nil {
		return nil
	}
	sigs, err := s.store.Signatures(ctx, out.Inbox.ID, *out.Message.AuthorAgentID)
	if err != nil {
		return temporary(err)
	}
	if len(sigs) == 0 {
		return nil
	}
	var text []string
	var html strings.Builder
	html.WriteString(textToHTMLBody(m.text))
	for _, g := range sigs {
		t, h := g.Text, g.HTML
		if t == "" {
			t = HTMLToText(h)
		}
		if h == "" {
			h = textToHTMLBody(t)
		}
		text = append(text, strings.TrimSpace(t))
		html.WriteString("<div class=\"signature\">\n" + h + "\n</div>\n")
	}
	m.text = strings.TrimRight(m.text, "\n") + "\n\n-- \n" + strings.Join(text, "\n\n")
	m.html = htmlDocument(html.String())
	return nil
}

// htmlDocument wraps body in the document every outbound HTML part has.
func htmlDocument(body string) string {
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" + body + "</body></html>\n"
}
