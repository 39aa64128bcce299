package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// emptyText stands in for the text of a message that has none (a blank email without
// attachments), which the inbox would otherwise refuse.
const emptyText = "(empty email)"

// origin is where a fetched message sits in its mailbox.
type origin struct {
	mailbox     string
	uidValidity uint32
	uid         uint32
	size        int64
	truncated   bool // the raw message was cut at the fetch cap
	received    time.Time
}

// ExternalID is the idempotency key of an email: its Message-ID, or for mail without a usable
// one, "sha256:" and the hash of its raw bytes (the same bytes fetched again hash the same).
func ExternalID(p *Parsed) string {
	if id := strings.TrimSpace(p.MessageID); id != "" && len(id) <= inbox.MaxExternalID {
		return id
	}
	sum := sha256.Sum256(p.Raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// inboundOf maps a parsed email to what the inbox ingests. The sender's address is verified
// when a valid DKIM signature of its domain vouches for the From header (see dkimDomain);
// otherwise it is only claimed, since a From header is easily forged.
// The timeline shows the reply without its quoted history; the full text, the full HTML and
// the raw message are kept in email_sources.
func (f *Fetcher) inboundOf(ctx context.Context, a account, p *Parsed, o origin) inbox.Inbound {
	dkim := ""
	if !o.truncated {
		dkim = dkimDomain(ctx, f.cfg.LookupTXT, p.Raw, p.From.Address)
	}
	text, html := p.Reply, p.ReplyHTML
	if strings.TrimSpace(text) == "" {
		text = p.Text
	}
	if html == "" {
		html = p.HTML
	}
	in := inbox.Inbound{
		InboxID:    a.inbox.ID,
		Channel:    inbox.ChannelEmail,
		ExternalID: ExternalID(p),
		From:       inbox.Identity{Kind: inbox.IdentityEmail, Address: p.From.Address, Verified: dkim != ""},
		Name:       p.From.Name,
		Subject:    inbox.CutRunes(p.Subject, inbox.MaxSubjectChars),
		Text:       inbox.CutBytes(text, inbox.MaxTextBytes),
		HTML:       inbox.CutBytes(html, inbox.MaxTextBytes),
		Email:      &inbox.EmailHeaders{MessageID: p.MessageID, InReplyTo: p.InReplyTo, References: p.References},
		Auto:       string(p.Auto),
		ReceivedAt: o.received,
		Metadata:   metadataOf(p, o, text != p.Text, dkim),
	}
	if p.Bounce != nil && p.Bounce.OriginalMessageID != "" {
		// A bounce joins the conversation of the message it returns.
		in.Email.References = append(in.Email.References, p.Bounce.OriginalMessageID)
	}
	for _, att := range p.Attachments {
		in.Attachments = append(in.Attachments, inbox.NewAttachment{Filename: att.Filename, ContentType: att.ContentType,
			ContentID: att.ContentID, Size: int(att.Size), Content: att.Data})
	}
	if strings.TrimSpace(in.Text) == "" && in.HTML == "" && len(in.Attachments) == 0 {
		in.Text = emptyText
	}
	in.Hints = f.hints(ctx, a, p)
	return in
}

// hints are the conversations the message's plus-address token and subject token name. A
// token is trusted as it is: unguessable. A subject token "[#1234]" is a bare number anyone
// can type, so it counts only when the sender is the conversation's own customer.
func (f *Fetcher) hints(ctx context.Context, a account, p *Parsed) []inbox.ThreadHint {
	var out []inbox.ThreadHint
	if tok := PlusToken(p.Recipients(), a.localPart()); tok != "" {
		if id, ok := f.tokens.Conversation(tok); ok {
			out = append(out, inbox.ThreadHint{ConversationID: id, Reason: ThreadedByPlusToken})
		}
	}
	if id, ok := SubjectToken(p.Subject); ok && f.ownConversation(ctx, id, p.From.Address) {
		out = append(out, inbox.ThreadHint{ConversationID: id, Reason: ThreadedBySubjectToken})
	}
	return out
}

// ownConversation reports whether conversation id belongs to the contact who holds address.
func (f *Fetcher) ownConversation(ctx context.Context, id int64, address string) bool {
	conv, err := f.store.GetConversation(ctx, id)
	if err != nil {
		if !errors.Is(err, inbox.ErrNotFound) {
			f.log.Warn("email: subject token: conversation", "conversation", id, "err", err)
		}
		return false
	}
	contact, err := f.store.ContactByIdentity(ctx, inbox.IdentityEmail, address)
	if err != nil {
		return false
	}
	return contact.ID == conv.ContactID
}

// metadataOf is what the message keeps of its email beyond text and threading headers.
func metadataOf(p *Parsed, o origin, quoted bool, dkim string) map[string]any {
	e := map[string]any{
		"from":         p.From.Address,
		"to":           addressList(p.To),
		"mailbox":      o.mailbox,
		"uid_validity": o.uidValidity,
		"uid":          o.uid,
		"size":         o.size,
		"sender":       "claimed", // From is not authenticated
		"quoted":       quoted,
	}
	if dkim != "" {
		e["sender"], e["dkim"] = "verified", dkim
	}
	if len(p.Cc) > 0 {
		e["cc"] = addressList(p.Cc)
	}
	if len(p.ReplyTo) > 0 {
		e["reply_to"] = addressList(p.ReplyTo)
	}
	if len(p.DeliveredTo) > 0 {
		e["delivered_to"] = p.DeliveredTo
	}
	if !p.Date.IsZero() {
		e["date"] = p.Date.UTC().Format(time.RFC3339)
	}
	meta := map[string]any{"email": e}
	if p.ParseError != "" {
		meta["parse_error"] = p.ParseError
	}
	if p.BodyTruncated {
		meta["body_truncated"] = true
	}
	if o.truncated {
		meta["raw_truncated"] = true
	}
	if b := p.Bounce; b != nil {
		meta["bounce"] = map[string]any{"original_message_id": b.OriginalMessageID, "recipient": b.Recipient,
			"action": b.Action, "status": b.Status, "diagnostic": b.Diagnostic}
	}
	return meta
}

func addressList(as []Address) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Address)
	}
	return out
}
