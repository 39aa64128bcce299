package inbox

import (
	"strings"
	"time"
)

// Limits on what one message may carry. An agent's or API caller's text over MaxTextBytes is
// refused; a customer's message over a limit is cut and the full text attached (see repair).
const (
	MaxTextBytes    = 256 << 10 // 256 KiB of text, and as much HTML
	MaxSubjectChars = 1000
	MaxExternalID   = 500
)

// Inbound is a customer message normalized by its channel, ready for Ingest.
type Inbound struct {
	// InboxID is the connected account it arrived on (0 for the API channel).
	InboxID int64
	// Channel it came through.
	Channel Channel
	// ExternalID is the provider's id for the message: the idempotency key, unique per channel.
	ExternalID string
	// From is the sender's address; Ingest normalizes it.
	From Identity
	// Name is the sender's display name, if the channel knows it.
	Name string
	// Also lists further addresses the sender gave (the API channel's email and phone); they are
	// attached to the contact when nobody else holds them, claimed unless marked Verified.
	Also []Identity
	// Subject, Text and HTML are the content. HTML must already be sanitized by the channel.
	Subject string
	Text    string
	HTML    string
	// Email carries the threading headers of an email.
	Email *EmailHeaders
	// Hints are channel-level threading matches (a plus-address or subject token, a Slack
	// thread), tried in order after the email references and before the contact's conversation.
	Hints []ThreadHint
	// Auto marks machine mail ("auto-reply", "bounce", "bulk"): recorded, but it reopens nothing.
	Auto string
	// Attachments that came with the message.
	Attachments []NewAttachment
	// ReceivedAt is when the provider received it; zero means now.
	ReceivedAt time.Time
	// Metadata keeps provider details worth showing (raw headers, media URLs, parse errors).
	Metadata map[string]any
	// Attributes set custom attributes (AttributeDef) of the sender's contact in the message's
	// own transaction, so the route job already sees them: a nil or "" value removes one, the
	// others stay. Ingest checks them against the definitions before anything is stored (an
	// undefined key or a bad value is a *ValidationError); a redelivered message applies none.
	Attributes map[string]any
	// AttributesBy is who the audit log names for a change of Attributes (the integration, the
	// chat's identity verification).
	AttributesBy AuditActor
	// Language is the customer's language as the channel found it (the chat visitor's browser,
	// when the inbox follows it; a shipped custtext language), remembered on a conversation the
	// message starts so that later texts to the customer use it; "" leaves it to the inbox's.
	Language string
}

// EmailHeaders are an email's threading headers, without angle brackets.
type EmailHeaders struct {
	MessageID  string
	InReplyTo  string
	References []string
}

// ThreadHint names a conversation a channel matched the message to, and why.
type ThreadHint struct {
	ConversationID int64
	Reason         string
}

// NewAttachment is a file arriving with a message. The ingest writes Content to the file store
// before its transaction (stage) and types it from its bytes, not ContentType; content beyond
// the per-file limit is dropped and only the metadata kept.
type NewAttachment struct {
	Filename    string
	ContentType string
	ContentID   string
	Size        int
	Content     []byte
	// key is where stage stored Content, or the caller's StagedFile.
	key string
	// held marks a StagedFile's key: the caller's, never unstaged by the ingest.
	held bool
}

// IngestResult tells where an inbound message went.
type IngestResult struct {
	ContactID       int64  `json:"contact_id"`
	ConversationID  int64  `json:"conversation_id"`
	MessageID       int64  `json:"message_id"`
	Duplicate       bool   `json:"duplicate"`
	NewContact      bool   `json:"new_contact"`
	NewConversation bool   `json:"new_conversation"`
	ThreadedBy      string `json:"threaded_by"`
}

// normalize repairs (see repair), checks and canonicalizes in place. It fails with a
// *ValidationError only where the channel or caller is at fault: an unknown channel, a missing or
// overlong external id, an address that is not one, an empty message.
func (in *Inbound) normalize(region string) error {
	in.repair()
	if !in.Channel.Valid() {
		return invalid("channel", "unknown channel %q", in.Channel)
	}
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	if in.ExternalID == "" {
		return invalid("external_id", "is required: it makes redelivery safe")
	}
	if len(in.ExternalID) > MaxExternalID {
		return invalid("external_id", "longer than %d bytes", MaxExternalID)
	}
	addr, err := NormalizeIdentity(in.From.Kind, in.From.Address, region)
	if err != nil {
		return err
	}
	in.From.Address = addr
	kept := in.Also[:0]
	for _, id := range in.Also {
		a, err := NormalizeIdentity(id.Kind, id.Address, region)
		if err != nil {
			return err
		}
		if id.Kind == in.From.Kind && a == in.From.Address {
			continue
		}
		id.Address = a
		kept = append(kept, id)
	}
	in.Also = kept
	in.Name = strings.TrimSpace(in.Name)
	in.Subject = strings.TrimSpace(in.Subject)
	if strings.TrimSpace(in.Text) == "" && in.HTML == "" && len(in.Attachments) == 0 {
		return invalid("text", "is empty: a message needs text, HTML or an attachment")
	}
	return nil
}

// lockKey orders ingests in a batch so that concurrent batches take their locks in the same
// order and never deadlock.
func (in *Inbound) lockKey() string {
	return string(in.From.Kind) + ":" + in.From.Address
}
