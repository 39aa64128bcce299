package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Reply is an outbound message to the customer, or an internal note.
type Reply struct {
	ConversationID int64
	// Author is the agent writing; the system (AgentID 0) sends surveys and automatic messages.
	Author Actor
	Text   string
	HTML   string
	// Channel and InboxID choose the route; empty means the customer's latest inbound channel.
	Channel Channel
	InboxID int64
	// Auto marks system messages ("survey", "auto-close"): they never count as a response.
	Auto string
	// SetStatus optionally moves the conversation in the same transaction ("reply and resolve").
	SetStatus Status
	// ResolutionCodeID, with SetStatus, sets the resolution code first (a complaint resolved
	// with the reply needs one).
	ResolutionCodeID int64
	// Metadata is kept with the message (a survey id, a provider hint).
	Metadata map[string]any
	// After is the latest message the author saw when writing (0: not said). A reply is refused
	// with a *StaleReplyError when the customer or a colleague wrote since, unless Confirmed.
	After int64
	// Confirmed sends the reply even though messages arrived after After.
	Confirmed bool
	// Uploads are the author's uploads (Store.Upload) the message carries, in order; the same
	// transaction takes them.
	Uploads []int64
	// Recipients are the addresses of an email reply (each checked; stored in the metadata
	// under "recipients"); nil means reply-all to the customer's latest email, empty the
	// customer alone, and an empty To with Cc or Bcc the customer and those.
	Recipients *EmailRecipients
}

// Send stores an outbound reply as queued and, in the same transaction, hands its
// message.created event to Jobs, which enqueues the delivery: the reply is either stored and
// due for delivery, or not stored at all. A human agent's first reply stamps first_response_at
// and a new conversation becomes open. Closed conversations refuse replies with ErrConflict.
func (s *Store) Send(ctx context.Context, r Reply) (Message, error) {
	return s.write(ctx, r, DirectionOutbound)
}

// Note stores an internal note: seen by agents only, never delivered, never a response.
func (s *Store) Note(ctx context.Context, r Reply) (Message, error) {
	if r.Author.AgentID == 0 {
		return Message{}, fmt.Errorf("inbox: note: %w", invalid("author", "a note needs an agent"))
	}
	return s.write(ctx, r, DirectionNote)
}

func (s *Store) write(ctx context.Context, r Reply, dir Direction) (Message, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.WriteTx(ctx, tx, r, dir)
		return err
	})
	if err != nil {
		return Message{}, err
	}
	m, err := s.GetMessage(ctx, id)
	if err != nil || len(r.Uploads) == 0 {
		return m, err
	}
	msgs, err := s.withAttachments(ctx, []Message{m})
	if err != nil {
		return Message{}, err
	}
	return msgs[0], nil
}

// WriteTx stores an outbound message or note in the caller's transaction and returns its id.
func (s *Store) WriteTx(ctx context.Context, tx pgx.Tx, r Reply, dir Direction) (int64, error) {
	r.Text = strings.TrimSpace(r.Text)
	if r.Text == "" && r.HTML == "" && len(r.Uploads) == 0 {
		return 0, fmt.Errorf("inbox: reply: %w", invalid("text", "is empty"))
	}
	if len(r.Text) > MaxTextBytes || len(r.HTML) > MaxTextBytes {
		return 0, fmt.Errorf("inbox: reply: %w", invalid("text", "longer than %d bytes", MaxTextBytes))
	}
	if err := CleanAgentText("text", r.Text); err != nil {
		return 0, fmt.Errorf("inbox: reply: %w", err)
	}
	if err := CleanAgentText("html", r.HTML); err != nil {
		return 0, fmt.Errorf("inbox: reply: %w", err)
	}
	if r.SetStatus != "" && !r.SetStatus.Valid() {
		return 0, fmt.Errorf("inbox: reply: %w", invalid("status", "unknown status %q", r.SetStatus))
	}
	c, err := lockConversation(ctx, tx, r.ConversationID)
	if err != nil {
		return 0, err
	}
	if c.status == StatusClosed {
		return 0, fmt.Errorf("inbox: conversation %d: %w", c.id, ErrClosed)
	}
	if dir == DirectionOutbound {
		if err := checkStale(ctx, tx, r); err != nil {
			return 0, err
		}
	}
	var mentioned []Notice
	if dir == DirectionNote {
		if mentioned, err = mentionNotices(ctx, tx, c, r.Text, r.Author.AgentID); err != nil {
			return 0, err
		}
	}
	channel, inboxID, err := s.route(ctx, tx, c, r)
	if err != nil {
		return 0, err
	}
	if dir != DirectionOutbound && r.Recipients != nil && !r.Recipients.Empty() {
		return 0, fmt.Errorf("inbox: note: %w", invalid("to", "a note goes to no one"))
	}
	var to string
	if dir == DirectionOutbound {
		if r.Metadata, err = withRecipients(ctx, tx, c.id, channel, r); err != nil {
			return 0, err
		}
		if to, err = recipientOf(ctx, tx, c.id, channel, r.Metadata); err != nil {
			return 0, err
		}
		if to != "" && r.Metadata["to"] == nil {
			r.Metadata = withTo(r.Metadata, to)
		}
	}
	if dir == DirectionOutbound && s.checkReply != nil {
		if err := s.checkReply.CheckReplyTx(ctx, tx, ReplyRoute{ConversationID: c.id, ContactID: c.contactID, Channel: channel, InboxID: inboxID, To: to}); err != nil {
			return 0, fmt.Errorf("inbox: reply: %w", err)
		}
	}
	now := s.now()
	meta, err := json.Marshal(orEmpty(r.Metadata))
	if err != nil {
		return 0, fmt.Errorf("inbox: reply: metadata: %w", err)
	}
	delivery := DeliveryQueued
	if dir == DirectionNote {
		delivery = ""
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO messages (conversation_id, direction, channel, inbox_id, contact_id,
			author_agent_id, text, html, delivery_status, threaded_by, auto, metadata, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		c.id, dir, channel, nonZero(inboxID), c.contactID, nonZero(r.Author.AgentID), r.Text, r.HTML,
		delivery, ThreadedByAgent, r.Auto, meta, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inbox: reply: insert: %w", err)
	}
	if err := s.attachUploadsTx(ctx, tx, id, r.Author.AgentID, r.Uploads, now); err != nil {
		return 0, err
	}
	response := dir == DirectionOutbound && r.Author.AgentID != 0 && r.Auto == ""
	if _, err := tx.Exec(ctx, `UPDATE conversations SET last_activity_at = greatest(last_activity_at, $2),
			first_response_by = CASE WHEN $3 AND first_response_at IS NULL THEN $4 ELSE first_response_by END,
			first_response_at = CASE WHEN $3 THEN coalesce(first_response_at, $2) ELSE first_response_at END,
			waiting_since = CASE WHEN $3 THEN NULL ELSE waiting_since END,
			status = CASE WHEN $3 AND status = 'new' THEN 'open' ELSE status END
		WHERE id = $1`, c.id, now, response, nonZero(r.Author.AgentID)); err != nil {
		return 0, fmt.Errorf("inbox: reply: update conversation: %w", err)
	}
	e := c.event(EventMessageCreated, now)
	e.MessageID, e.Direction, e.Channel, e.AgentID = id, dir, channel, r.Author.AgentID
	if r.Auto != "" {
		e.Data = map[string]any{"auto": r.Auto}
	}
	// The status change (if any) and the message go out together: one NOTIFY and one
	// enqueue of jobs for both, in that order.
	events := make([]Event, 0, 2)
	if response && c.status == StatusNew {
		c.status = StatusOpen
		se := c.event(EventConversationStatus, now)
		se.Previous, se.AgentID = string(StatusNew), r.Author.AgentID
		e.Status = StatusOpen
		events = append(events, se)
	}
	if err := s.Publish(ctx, tx, append(events, e)...); err != nil {
		return 0, err
	}
	if err := s.NotifyTx(ctx, tx, mentioned...); err != nil {
		return 0, err
	}
	if r.SetStatus != "" {
		if r.ResolutionCodeID != 0 {
			if err := s.SetResolutionCodeTx(ctx, tx, c.id, r.ResolutionCodeID, r.Author); err != nil {
				return 0, err
			}
		}
		if err := s.SetStatusTx(ctx, tx, c.id, r.SetStatus, r.Author); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// route picks the channel and inbox of a reply: the one asked for, else the customer's latest
// inbound message's, else the conversation's own.
func (s *Store) route(ctx context.Context, tx pgx.Tx, c convState, r Reply) (Channel, int64, error) {
	if r.Channel != "" {
		if !r.Channel.Valid() {
			return "", 0, fmt.Errorf("inbox: reply: %w", invalid("channel", "unknown channel %q", r.Channel))
		}
		return r.Channel, r.InboxID, nil
	}
	var ch Channel
	var inboxID int64
	err := tx.QueryRow(ctx, `SELECT channel, coalesce(inbox_id, 0) FROM messages
		WHERE conversation_id = $1 AND direction = 'inbound' ORDER BY id DESC LIMIT 1`, c.id).Scan(&ch, &inboxID)
	if errors.Is(err, pgx.ErrNoRows) {
		return c.channel, c.inboxID, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("inbox: reply: route: %w", err)
	}
	return ch, inboxID, nil
}

// recipientOf is the address an outbound message on channel goes to when it names one: its
// metadata's "to", else, in a conversation an agent started on that channel (its first message
// is an agent's, outbound on it) that the customer has not yet answered there, the opening
// message's "to", so a second message before the answer goes where the first went. "" leaves
// the choice to the channel's sender.
func recipientOf(ctx context.Context, tx pgx.Tx, conversationID int64, channel Channel, meta map[string]any) (string, error) {
	if to, ok := meta["to"].(string); ok {
		return to, nil
	}
	var to string
	err := tx.QueryRow(ctx, `SELECT coalesce(m.metadata->>'to', '') FROM messages m
		WHERE m.conversation_id = $1 AND m.direction = 'outbound' AND m.channel = $2 AND m.author_agent_id IS NOT NULL
			AND m.id = (SELECT min(id) FROM messages WHERE conversation_id = $1)
			AND NOT EXISTS (SELECT 1 FROM messages i WHERE i.conversation_id = $1 AND i.direction = 'inbound'
				AND i.channel = $2 AND i.auto = '')`, conversationID, channel).Scan(&to)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("inbox: reply: recipient: %w", err)
	}
	return to, nil
}

// withTo is a copy of meta with "to" set.
func withTo(meta map[string]any, to string) map[string]any {
	out := make(map[string]any, len(meta)+1)
	for k, v := range meta {
		out[k] = v
	}
	out["to"] = to
	return out
}
