package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// NotifyChannel is the PostgreSQL channel every change event is announced on.
const NotifyChannel = "parley_events"

// maxPayload keeps one NOTIFY under PostgreSQL's 8,000-byte limit.
const maxPayload = 7800

// Event types announced after a change commits.
const (
	EventConversationCreated  = "conversation.created"
	EventConversationStatus   = "conversation.status"
	EventConversationAssigned = "conversation.assigned"
	EventConversationPriority = "conversation.priority"
	EventConversationTags     = "conversation.tags"
	EventConversationTeam     = "conversation.team"
	EventMessageCreated       = "message.created"
	EventMessageDelivery      = "message.delivery"
	EventContactMerged        = "contact.merged"
	// EventCompanyUpdated: a company's tier changed or contacts joined it (Data["company_id"]).
	EventCompanyUpdated = "company.updated"
	// EventAgentChanged: an agent was deactivated, activated, given another role, or what they
	// may see changed (a team joined or left, a default queue set) (AgentID).
	// Every process drops what it cached about the agent and closes their sockets.
	EventAgentChanged = "agent.changed"
	// EventTokenRevoked: an API token was revoked (AgentID, Data["token_id"]). Every process
	// drops it from its cache.
	EventTokenRevoked = "token.revoked"
)

// EventTypes lists the types of the events the inbox announces (those above, edits, categories
// and availability): what an outgoing webhook may subscribe to, with the workflow's own.
func EventTypes() []string {
	return []string{EventConversationCreated, EventConversationStatus, EventConversationWoke, EventConversationAssigned,
		EventConversationPriority, EventConversationTags, EventConversationTeam, EventConversationCategory,
		EventMessageCreated, EventMessageUpdated, EventMessageDelivery, EventContactMerged, EventContactUpdated,
		EventCompanyUpdated, EventAgentChanged, EventAgentAvailability, EventTokenRevoked}
}

// Event is one change, small enough to fan out to every socket: it names what changed and
// carries the fields subscribers filter on (team, assignee, contact, inbox); clients fetch the
// details through the API. The same events are handed to Jobs inside the transaction.
type Event struct {
	Type           string         `json:"type"`
	ConversationID int64          `json:"conversation_id,omitempty"`
	MessageID      int64          `json:"message_id,omitempty"`
	ContactID      int64          `json:"contact_id,omitempty"`
	InboxID        int64          `json:"inbox_id,omitempty"`
	TeamID         int64          `json:"team_id,omitempty"`
	AssigneeID     int64          `json:"assignee_id,omitempty"`
	AgentID        int64          `json:"agent_id,omitempty"`
	Channel        Channel        `json:"channel,omitempty"`
	Status         Status         `json:"status,omitempty"`
	Previous       string         `json:"previous,omitempty"`
	Priority       Priority       `json:"priority,omitempty"`
	Direction      Direction      `json:"direction,omitempty"`
	Delivery       string         `json:"delivery,omitempty"`
	Data           map[string]any `json:"data,omitempty"`
	At             time.Time      `json:"at"`
	// Routed is set on the conversation.created event of a conversation routed as the ingest
	// wrote it (see Router): Jobs then starts its clocks and its team's assignment instead of
	// triaging it. It is never announced: only the transaction's own Jobs sees it.
	Routed bool `json:"-"`
}

// DataID reads an id from the event's Data (the previous team or assignee under "from", a
// revoked token under "token_id"), 0 when absent. The process that made the change holds it as
// an int64; every other process decodes the NOTIFY's JSON, where it is a float64.
func (e Event) DataID(key string) int64 {
	switch v := e.Data[key].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// Jobs enqueues the background work that changes cause, on the changes' own transaction, so
// the work exists exactly when the change does. The workflow package implements it with
// River's InsertManyTx; a nil Jobs enqueues nothing.
type Jobs interface {
	Enqueue(ctx context.Context, tx pgx.Tx, events []Event) error
}

// Publish hands events to the store's Jobs and announces them with pg_notify, both on tx: they
// take effect when, and only if, tx commits. Other packages that change inbox state in their own
// transactions (delivery updates, the workflow) call it too.
func (s *Store) Publish(ctx context.Context, tx pgx.Tx, events ...Event) error {
	b := &pgx.Batch{}
	if err := s.publishInto(ctx, tx, b, events); err != nil {
		return err
	}
	for _, q := range b.QueuedQueries {
		if _, err := tx.Exec(ctx, q.SQL, q.Arguments...); err != nil {
			return fmt.Errorf("inbox: notify: %w", err)
		}
	}
	return nil
}

// publishInto hands events to the store's Jobs on tx and queues the NOTIFYs that announce them
// in b, for the caller to send on tx (a group commit sends them with COMMIT).
func (s *Store) publishInto(ctx context.Context, tx pgx.Tx, b *pgx.Batch, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if s.jobs != nil {
		if err := s.jobs.Enqueue(ctx, tx, events); err != nil {
			return fmt.Errorf("inbox: enqueue jobs: %w", err)
		}
	}
	return queueNotify(b, events)
}

// queueNotify queues the NOTIFYs that announce events in b.
func queueNotify(b *pgx.Batch, events []Event) error {
	chunk := []byte{'['}
	for _, e := range events {
		j, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("inbox: encode event: %w", err)
		}
		if len(chunk)+len(j)+1 > maxPayload && len(chunk) > 1 {
			b.Queue("SELECT pg_notify($1, $2)", NotifyChannel, string(append(chunk, ']')))
			chunk = []byte{'['}
		}
		if len(chunk) > 1 {
			chunk = append(chunk, ',')
		}
		chunk = append(chunk, j...)
	}
	b.Queue("SELECT pg_notify($1, $2)", NotifyChannel, string(append(chunk, ']')))
	return nil
}

// audit records who did what to a conversation or contact, in tx.
func audit(ctx context.Context, tx pgx.Tx, a auditEntry) error {
	data, err := json.Marshal(a.data)
	if err != nil {
		return fmt.Errorf("inbox: audit: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO conversation_events
		(conversation_id, contact_id, agent_id, actor, kind, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.conversationID, a.contactID, a.agentID, a.actor, a.kind, data, a.at)
	if err != nil {
		return fmt.Errorf("inbox: audit %s: %w", a.kind, err)
	}
	return nil
}

type auditEntry struct {
	conversationID *int64
	contactID      *int64
	agentID        *int64
	actor          string
	kind           string
	data           map[string]any
	at             time.Time
}

// AuditEntry is one row of a conversation's audit trail.
type AuditEntry struct {
	ID             int64          `json:"id"`
	ConversationID *int64         `json:"conversation_id,omitempty"`
	ContactID      *int64         `json:"contact_id,omitempty"`
	AgentID        *int64         `json:"agent_id,omitempty"`
	Actor          string         `json:"actor"`
	Kind           string         `json:"kind"`
	Data           map[string]any `json:"data"`
	CreatedAt      time.Time      `json:"created_at"`
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}
