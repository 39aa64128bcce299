package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"mime"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/parleyhq/parley/channels"
)

// outgoingMail is an outbound email, ready to be written as MIME.
type outgoingMail struct {
	from, replyTo        *mail.Address
	to, cc               []*mail.Address
	subject              string
	date                 time.Time
	messageID, inReplyTo string
	references           []string
	text                 string
	// html is the HTML body; empty means the text, escaped (textToHTML).
	html  string
	auto  bool // sent by the system, not an agent (a survey, an auto-close notice)
	files []channels.File
}

// paragraphBreak splits text into paragraphs at blank lines. Compiled once, never modified.
var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n+`)

// newMessageID returns a fresh Message-ID in domain: 128 random bits.
func newMessageID(domain string) string {
	return strings.ToLower(rand.Text()) + "@" + domain
}

// bytes writes the whole email into memory: for mail without files (system mail, tests).
func (m outgoingMail) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := m.writeTo(context.Background(), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// header is the top-level header. Bcc is never written: blind copies are envelope recipients
// only.
func (m outgoingMail) header() mail.Header {
	var h mail.Header
	h.Set("MIME-Version", "1.0")
	h.SetDate(m.date)
	h.SetAddressList("From", []*mail.Address{m.from})
	h.SetAddressList("To", m.to)
	if len(m.cc) > 0 {
		h.SetAddressList("Cc", m.cc)
	}
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
	return h
}

// writeTo writes the email to w as MIME, streaming each file from its Open:
//
//	multipart/mixed                 (only with attachments)
//	  multipart/related             (only with inline images: files with a Content-ID)
//	    multipart/alternative
//	      text/plain
//	      text/html
//	    image/... Content-ID: <cid> (inline)
//	  application/... (attachment; filename=...)
//
// An error leaves w holding part of a message: the caller must not send it.
func (m outgoingMail) writeTo(ctx context.Context, w io.Writer) error {
	var inline, attached []channels.File
	for _, f := range m.files {
		if f.ContentID != "" {
			inline = append(inline, f)
		} else {
			attached = append(attached, f)
		}
	}
	h := m.header().Header
	if len(attached) == 0 {
		return m.writeRelated(ctx, dest{w: w}, h, inline)
	}
	h.Set("Content-Type", "multipart/mixed")
	mw, err := message.CreateWriter(w, h)
	if err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	var bh message.Header
	if err := m.writeRelated(ctx, dest{parent: mw}, bh, inline); err != nil {
		return err
	}
	for _, f := range attached {
		if err := writeFile(ctx, mw, f, "attachment"); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

// dest is where a (multi)part starts: the top of the email at w, or a new part of parent.
type dest struct {
	w      io.Writer
	parent *message.Writer
}

// create starts a message with header h at d.
func (d dest) create(h message.Header) (*message.Writer, error) {
	if d.parent != nil {
		return d.parent.CreatePart(h)
	}
	return message.CreateWriter(d.w, h)
}

// writeRelated writes the text and HTML alternatives, inside a multipart/related with the
// inline images when there are any. h is the header to start with (the email's own, or an
// empty one for a part).
func (m outgoingMail) writeRelated(ctx context.Context, d dest, h message.Header, inline []channels.File) error {
	if len(inline) == 0 {
		return m.writeAlternatives(d, h)
	}
	h.Set("Content-Type", "multipart/related; type=\"multipart/alternative\"")
	rw, err := d.create(h)
	if err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	var ah message.Header
	if err := m.writeAlternatives(dest{parent: rw}, ah); err != nil {
		return err
	}
	for _, f := range inline {
		if err := writeFile(ctx, rw, f, "inline"); err != nil {
			return err
		}
	}
	if err := rw.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

// writeAlternatives writes a multipart/alternative of the text and the HTML.
func (m outgoingMail) writeAlternatives(d dest, h message.Header) error {
	h.Set("Content-Type", "multipart/alternative")
	aw, err := d.create(h)
	if err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	body := m.html
	if body == "" {
		body = textToHTML(m.text)
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", m.text}, {"text/html", body}} {
		var ph message.Header
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := aw.CreatePart(ph)
		if err != nil {
			return fmt.Errorf("email: compose: %w", err)
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return fmt.Errorf("email: compose: %w", err)
		}
		if err := pw.Close(); err != nil {
			return fmt.Errorf("email: compose: %w", err)
		}
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

// writeFile streams file f into a new base64 part of mw, as an attachment or inline (with its
// Content-ID). The file is read from Open as it is written, never held whole.
func writeFile(ctx context.Context, mw *message.Writer, f channels.File, disposition string) error {
	var h message.Header
	ct := f.ContentType
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	params := map[string]string{}
	if f.Filename != "" {
		params["filename"] = f.Filename
	}
	h.SetContentDisposition(disposition, params)
	if disposition == "inline" {
		h.Set("Content-Id", "<"+f.ContentID+">")
	}
	h.Set("Content-Transfer-Encoding", "base64")
	if f.Open == nil {
		return fmt.Errorf("email: compose: file %q cannot be read", f.Filename)
	}
	r, err := f.Open(ctx)
	if err != nil {
		return fmt.Errorf("email: compose: open %q: %w", f.Filename, err)
	}
	defer r.Close()
	pw, err := mw.CreatePart(h)
	if err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	if _, err := io.Copy(pw, r); err != nil {
		return fmt.Errorf("email: compose: read %q: %w", f.Filename, err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

// textToHTML renders plain text as HTML: every character escaped, blank lines as paragraphs,
// line breaks kept. Nothing in the text can become markup.
func textToHTML(text string) string {
	return htmlDocument(textToHTMLBody(text))
}

// textToHTMLBody is textToHTML's paragraphs without the document around them.
func textToHTMLBody(text string) string {
	var b strings.Builder
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
	return b.String()
}
