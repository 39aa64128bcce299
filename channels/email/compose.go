package email

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

// outgoingMail is an outbound email, ready to be written as MIME.
type outgoingMail struct {
	from, replyTo, to    *mail.Address
	subject              string
	date                 time.Time
	messageID, inReplyTo string
	references           []string
	text                 string
	auto                 bool // sent by the system, not an agent (a survey, an auto-close notice)
	attachments          []outgoingAttachment
}

// outgoingAttachment is a file attached to an outbound email.
type outgoingAttachment struct {
	filename, contentType string
	content               []byte
}

// paragraphBreak splits text into paragraphs at blank lines. Compiled once, never modified.
var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n+`)

// newMessageID returns a fresh Message-ID in domain: 128 random bits.
func newMessageID(domain string) string {
	return strings.ToLower(rand.Text()) + "@" + domain
}

// bytes writes the email: a multipart/alternative of the text and HTML made from it, inside a
// multipart/mixed when it has attachments.
func (m outgoingMail) bytes() ([]byte, error) {
	var h mail.Header
	h.Set("MIME-Version", "1.0")
	h.SetDate(m.date)
	h.SetAddressList("From", []*mail.Address{m.from})
	h.SetAddressList("To", []*mail.Address{m.to})
	if m.replyTo != nil {
		h.SetAddressList("Reply-To", []*mail.Address{m.replyTo})
	}
	h.SetSubject(m.subject)
	h.SetMessageID(m.messageID)
	if m.inReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.inReplyTo})
	}
	if len(m.references) > 0 {
		h.SetMsgIDList("References", m.references)
	}
	if m.auto {
		// RFC 3834: automatic mail; and ask Exchange for no out-of-office answer to it.
		h.Set("Auto-Submitted", "auto-generated")
		h.Set("X-Auto-Response-Suppress", "All")
	}
	var buf bytes.Buffer
	if len(m.attachments) == 0 {
		w, err := mail.CreateInlineWriter(&buf, h)
		if err != nil {
			return nil, fmt.Errorf("email: compose: %w", err)
		}
		if err := m.writeAlternatives(w); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("email: compose: %w", err)
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, fmt.Errorf("email: compose: %w", err)
	}
	if err := m.writeAlternatives(iw); err != nil {
		return nil, err
	}
	for _, a := range m.attachments {
		var ah mail.AttachmentHeader
		ah.Set("Content-Type", a.contentType)
		ah.SetFilename(a.filename)
		if err := writePart(func() (io.WriteCloser, error) { return w.CreateAttachment(ah) }, a.content); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("email: compose: %w", err)
	}
	return buf.Bytes(), nil
}

// writeAlternatives writes the text part and the HTML part, and closes w.
func (m outgoingMail) writeAlternatives(w *mail.InlineWriter) error {
	var th, hh mail.InlineHeader
	th.Set("Content-Type", "text/plain; charset=utf-8")
	hh.Set("Content-Type", "text/html; charset=utf-8")
	if err := writePart(func() (io.WriteCloser, error) { return w.CreatePart(th) }, []byte(m.text)); err != nil {
		return err
	}
	if err := writePart(func() (io.WriteCloser, error) { return w.CreatePart(hh) }, []byte(textToHTML(m.text))); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

func writePart(create func() (io.WriteCloser, error), content []byte) error {
	pw, err := create()
	if err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	if _, err := pw.Write(content); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

// textToHTML renders plain text as HTML: every character escaped, blank lines as paragraphs,
// line breaks kept. Nothing in the text can become markup.
func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	for _, para := range paragraphBreak.Split(strings.TrimSpace(text), -1) {
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(html.EscapeString(line))
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
