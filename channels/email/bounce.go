package email

import (
	"bufio"
	"bytes"
	"regexp"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Patterns for bounces that are not RFC 3464 reports. Compiled once, never
// modified.
var (
	bodyMessageID = regexp.MustCompile(`(?im)^\s*message-id:\s*<([^>\s]+)>`)
	bodyStatus    = regexp.MustCompile(`\b([45]\.\d{1,3}\.\d{1,3})\b`)
)

// maxDSNBlocks bounds the per-recipient blocks read from a delivery status.
const maxDSNBlocks = 50

// Bounce is what a delivery failure report says about the message it
// returns.
type Bounce struct {
	// OriginalMessageID is the Message-ID of the message that bounced
	// (without brackets), which Parley sent and can find again.
	OriginalMessageID string
	// Recipient is the address that failed (Final-Recipient), lower-cased.
	Recipient string
	// Action is the DSN action: "failed", "delayed", "delivered", ...
	Action string
	// Status is the enhanced status code, such as "5.1.1".
	Status string
	// Diagnostic is the remote server's explanation (Diagnostic-Code).
	Diagnostic string
}

// readDSN reads the first message/delivery-status part: a block of
// per-message fields, then one block per recipient. The first failed
// recipient is kept, or else the first recipient.
func (w *walker) readDSN(data []byte) {
	if w.dsn != nil {
		return
	}
	br := bufio.NewReader(bytes.NewReader(data))
	var best *Bounce
	for i := 0; i < maxDSNBlocks; i++ {
		h, err := textproto.ReadHeader(br)
		if h.Has("Final-Recipient") || h.Has("Original-Recipient") || h.Has("Status") {
			b := &Bounce{
				Recipient:  dsnValue(h.Get("Final-Recipient")),
				Action:     strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:     firstField(h.Get("Status")),
				Diagnostic: cleanLine(validUTF8(dsnValue(h.Get("Diagnostic-Code")))),
			}
			if b.Recipient == "" {
				b.Recipient = dsnValue(h.Get("Original-Recipient"))
			}
			b.Recipient = strings.ToLower(validUTF8(b.Recipient))
			if best == nil || best.Action != "failed" && b.Action == "failed" {
				best = b
			}
		}
		if err != nil {
			break
		}
	}
	w.dsn = best
}

// dsnValue drops the "type;" prefix of a DSN field ("rfc822; a@b" -> "a@b").
func dsnValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.TrimSpace(v)
}

func firstField(v string) string {
	f := strings.Fields(validUTF8(v))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// readEmbedded notes the Message-ID of the first embedded message or
// message header (message/rfc822, text/rfc822-headers).
func (w *walker) readEmbedded(data []byte) {
	if w.embeddedID != "" {
		return
	}
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	w.embeddedID = firstOf(parseMsgIDs(h.Get("Message-Id")))
}

// bounce assembles Parsed.Bounce, falling back on the human-readable text
// for bounces that are not RFC 3464 reports.
func (w *walker) bounce(text string) *Bounce {
	b := &Bounce{}
	if w.dsn != nil {
		*b = *w.dsn
	}
	b.OriginalMessageID = w.embeddedID
	if b.OriginalMessageID == "" {
		if m := bodyMessageID.FindStringSubmatch(text); m != nil {
			b.OriginalMessageID = normalizeMsgID(m[1])
		}
	}
	if b.Status == "" {
		if m := bodyStatus.FindStringSubmatch(text); m != nil {
			b.Status = m[1]
		}
	}
	return b
}
