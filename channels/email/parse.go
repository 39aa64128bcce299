package email

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/microcosm-cc/bluemonday"
)

// Default limits applied when the matching ParseOptions field is zero.
const (
	// DefaultMaxAttachmentBytes is the per-attachment data cap.
	DefaultMaxAttachmentBytes = 25 << 20
	// DefaultMaxBodyBytes caps the decoded plain text and, separately, the
	// decoded HTML of one message.
	DefaultMaxBodyBytes = 2 << 20
)

// ParseOptions tunes Parse. The zero value is ready to use.
type ParseOptions struct {
	// MaxAttachmentBytes caps the decoded data kept per attachment. A
	// larger attachment keeps its metadata and Size but no Data, and is
	// flagged Truncated. Zero means DefaultMaxAttachmentBytes; a negative
	// value keeps no attachment data at all.
	MaxAttachmentBytes int64
	// MaxBodyBytes caps the decoded text and the decoded HTML (each).
	// Longer bodies are cut and Parsed.BodyTruncated is set. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int
}

// Address is one mailbox: a display name and a lower-cased address.
type Address struct {
	Name    string
	Address string
}

// Parsed is one email as Parley understands it. Every string is valid
// UTF-8.
type Parsed struct {
	// MessageID is the Message-ID without angle brackets; empty if absent.
	MessageID string
	// InReplyTo is the first message id of In-Reply-To, without brackets.
	InReplyTo string
	// References lists the References ids, oldest first, deduplicated. A
	// very long list keeps its first id (the thread root) and the most
	// recent ones.
	References []string
	// ThreadTopic and ThreadIndexRoot come from Outlook's Thread-Topic and
	// Thread-Index headers. ThreadIndexRoot is the hex of the 22-byte
	// conversation root shared by every message of an Outlook thread; it
	// threads an Outlook reply that lacks In-Reply-To.
	ThreadTopic     string
	ThreadIndexRoot string

	From        Address
	ReplyTo     []Address
	To          []Address
	Cc          []Address
	DeliveredTo []string // Delivered-To and X-Original-To addresses, lower-cased.

	Subject string
	// Date is the Date header; the zero time when missing or unreadable.
	Date time.Time

	// Text is the best plain text: the text/plain body, or text derived
	// from the HTML when the mail has none.
	Text string
	// HTML is the sanitized HTML body; empty for text-only mail.
	HTML string
	// Reply is the new part of the message as plain text, with the quoted
	// history stripped; it equals the full text when nothing is quoted.
	Reply string
	// ReplyHTML is the sanitized HTML with the quoted history removed;
	// empty unless a quote was found in the HTML.
	ReplyHTML string

	Attachments []Attachment

	// Auto tells automatic mail (auto-reply, bounce, bulk) from mail a
	// person wrote.
	Auto Auto
	// Bounce holds what a delivery failure report says; nil unless Auto
	// is AutoBounce.
	Bounce *Bounce

	// BodyTruncated is set when Text or HTML was cut at MaxBodyBytes.
	BodyTruncated bool
	// ParseError describes what was malformed or undecodable; empty for
	// well-formed mail. The other fields hold what could be recovered.
	ParseError string
	// Raw is the message exactly as read.
	Raw []byte
}

// Parser parses email with one set of options. It is safe for concurrent
// use; build it once and reuse it.
type Parser struct {
	opts   ParseOptions
	policy *bluemonday.Policy
}

// NewParser returns a Parser applying opts (zero fields take defaults).
func NewParser(opts ParseOptions) *Parser {
	if opts.MaxAttachmentBytes == 0 {
		opts.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Parser{opts: opts, policy: newPolicy()}
}

// Parse reads one message from r and parses it with a one-off Parser. Code
// that parses many messages should build a Parser once instead.
func Parse(r io.Reader, opts ParseOptions) (*Parsed, error) {
	return NewParser(opts).Parse(r)
}

// Parse reads one message from r. It returns an error only when reading r
// fails; malformed mail yields a Parsed with ParseError set.
func (p *Parser) Parse(r io.Reader) (*Parsed, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("email: read: %w", err)
	}
	return p.ParseBytes(raw), nil
}

// ParseBytes parses one message held in raw, which the result keeps as
// Parsed.Raw (the caller must not modify it afterwards).
func (p *Parser) ParseBytes(raw []byte) *Parsed {
	out := &Parsed{Raw: raw}
	w := &walker{p: p, out: out}
	h, body := w.readTop(raw)
	readHeaders(out, h)
	w.walk(h, body, 0, walkCtx{})
	p.finishBody(w)
	out.Auto = detectAuto(h, out.From, w.reportType)
	if out.Auto == AutoBounce {
		out.Bounce = w.bounce(out.Text)
	}
	out.ParseError = strings.Join(w.errs, "; ")
	return out
}

// readTop splits raw into its top-level header and body. A header that
// cannot be read completely is kept as far as it goes, and the body starts
// after the first blank line.
func (w *walker) readTop(raw []byte) (textproto.Header, []byte) {
	start := skipEnvelopeLine(raw)
	src := bytes.NewReader(raw[start:])
	br := bufio.NewReader(src)
	h, err := textproto.ReadHeader(br)
	switch {
	case err == nil:
		consumed := len(raw) - start - src.Len() - br.Buffered()
		return h, raw[start+consumed:]
	case err == io.EOF:
		return h, nil
	}
	w.note("header: %v", err)
	if h.Len() == 0 {
		return h, raw[start:]
	}
	return h, afterBlankLine(raw[start:])
}

// skipEnvelopeLine skips an mbox "From " line before the header.
func skipEnvelopeLine(raw []byte) int {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return 0
	}
	if nl := bytes.IndexByte(raw, '\n'); nl >= 0 {
		return nl + 1
	}
	return len(raw)
}

// afterBlankLine returns what follows the first empty line of b, or nothing.
func afterBlankLine(b []byte) []byte {
	crlf := bytes.Index(b, []byte("\r\n\r\n"))
	lf := bytes.Index(b, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return b[crlf+4:]
	case lf >= 0:
		return b[lf+2:]
	}
	return nil
}
