package inbox

import (
	"slices"
	"time"
)

// Channel is the kind of provider a message travels through.
type Channel string

// The channels Parley speaks. The database checks a message's channel and an inbox's kind
// against this list (migrations), so a new channel adds its constant here, to Channels, and
// to that check; everything else about it lives in its package under channels/.
const (
	ChannelAPI   Channel = "api"
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
	ChannelChat  Channel = "chat"
	ChannelSlack Channel = "slack"
)

// Channels returns every channel, in the order lists and reports show them.
func Channels() []Channel {
	return []Channel{ChannelEmail, ChannelSMS, ChannelChat, ChannelSlack, ChannelAPI}
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels(), c) }

// Status is a conversation's place in its life cycle.
type Status string

// Conversation statuses. New, open and pending conversations are active; a snoozed one is set
// aside until its SnoozedUntil (Snooze), when it wakes to open, or earlier when the customer
// writes; a customer reply reopens a resolved one; a closed one is final (a later reply starts
// a linked conversation).
const (
	StatusNew      Status = "new"
	StatusOpen     Status = "open"
	StatusPending  Status = "pending"
	StatusSnoozed  Status = "snoozed"
	StatusResolved Status = "resolved"
	StatusClosed   Status = "closed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusNew, StatusOpen, StatusPending, StatusSnoozed, StatusResolved, StatusClosed:
		return true
	}
	return false
}

// Priority orders conversations by urgency.
type Priority string

// Priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Rank orders priorities: low 0 ... urgent 3; -1 for an unknown priority.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 0
	case PriorityNormal:
		return 1
	case PriorityHigh:
		return 2
	case PriorityUrgent:
		return 3
	}
	return -1
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p.Rank() >= 0 }

// Direction tells who wrote a message: the customer (inbound), an agent or the system to the
// customer (outbound), or an agent to colleagues only (note).
type Direction string

// Message directions.
const (
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
	DirectionNote     Direction = "note"
)

// Delivery statuses of outbound messages, in the order they normally advance. Inbound messages
// are "received".
const (
	DeliveryReceived    = "received"
	DeliveryQueued      = "queued"
	DeliverySending     = "sending"
	DeliverySent        = "sent"
	DeliveryDelivered   = "delivered"
	DeliveryUndelivered = "undelivered"
	DeliveryFailed      = "failed"
)

// Contact is one customer, however many channels they write from.
type Contact struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Tier       string     `json:"tier"`
	Tags       []string   `json:"tags"`
	MergedInto *int64     `json:"merged_into,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	Identities []Identity `json:"identities,omitempty"`
	// Notes are the agents' free text about the customer.
	Notes string `json:"notes"`
	// Attributes are the values of the admin-defined contact attributes (AttributeDef), by key.
	Attributes map[string]any `json:"attributes"`
	// CompanyID is the customer's company, if any; CompanyName its name.
	CompanyID   *int64 `json:"company_id,omitempty"`
	CompanyName string `json:"company_name,omitempty"`
	// ErasedAt is when the customer's data was erased (Store.EraseContact).
	ErasedAt *time.Time `json:"erased_at,omitempty"`
}

// Conversation is one customer issue: a thread of messages that may span channels.
type Conversation struct {
	ID         int64    `json:"id"`
	ContactID  int64    `json:"contact_id"`
	InboxID    *int64   `json:"inbox_id,omitempty"`
	Channel    Channel  `json:"channel"`
	Status     Status   `json:"status"`
	Priority   Priority `json:"priority"`
	Subject    string   `json:"subject"`
	TeamID     *int64   `json:"team_id,omitempty"`
	AssigneeID *int64   `json:"assignee_id,omitempty"`
	Tags       []string `json:"tags"`
	// Category is the path of the conversation's category ("Delivery › Damaged"; "" for none),
	// CategoryID the category, Complaint whether it is a complaint category.
	Category   string `json:"category"`
	CategoryID *int64 `json:"category_id,omitempty"`
	Complaint  bool   `json:"complaint"`
	// ResolutionCodeID and ResolutionCode say how a complaint was settled.
	ResolutionCodeID *int64     `json:"resolution_code_id,omitempty"`
	ResolutionCode   string     `json:"resolution_code,omitempty"`
	PreviousID       *int64     `json:"previous_id,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	FirstResponseAt  *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	LastActivityAt   time.Time  `json:"last_activity_at"`
	// SnoozedUntil is when a snoozed conversation wakes (nil unless snoozed).
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
	// Language is the language the customer chose (the chat visitor's browser, when the inbox
	// follows it), which every text to them uses; "" when they are written to in the inbox's.
	Language string `json:"language,omitempty"`

	// ContactName is filled by list and detail queries for display.
	ContactName string `json:"contact_name"`
}

// Message is one entry of a conversation's timeline.
type Message struct {
	ID              int64          `json:"id"`
	ConversationID  int64          `json:"conversation_id"`
	Direction       Direction      `json:"direction"`
	Channel         Channel        `json:"channel"`
	InboxID         *int64         `json:"inbox_id,omitempty"`
	ExternalID      *string        `json:"external_id,omitempty"`
	ContactID       *int64         `json:"contact_id,omitempty"`
	AuthorAgentID   *int64         `json:"author_agent_id,omitempty"`
	Text            string         `json:"text"`
	HTML            string         `json:"html,omitempty"`
	EmailMessageID  *string        `json:"email_message_id,omitempty"`
	EmailInReplyTo  *string        `json:"email_in_reply_to,omitempty"`
	EmailReferences []string       `json:"email_references,omitempty"`
	DeliveryStatus  string         `json:"delivery_status"`
	DeliveryError   string         `json:"delivery_error,omitempty"`
	ThreadedBy      string         `json:"threaded_by,omitempty"`
	Auto            string         `json:"auto,omitempty"`
	Metadata        map[string]any `json:"metadata,omitempty"`
	CreatedAt       time.Time      `json:"created_at"`
	Attachments     []Attachment   `json:"attachments,omitempty"`
}

// Attachment describes a file that came with a message. Content is loaded only on request.
type Attachment struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"message_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	ContentID   string `json:"content_id,omitempty"`
	Size        int    `json:"size"`
	Content     []byte `json:"-"`
}

// MaxAttachmentSize caps one stored attachment's content (25 MiB); larger files keep their
// metadata only.
const MaxAttachmentSize = 25 << 20
