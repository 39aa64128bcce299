package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FailedDelivery is an outbound message that failed for good: its channel or provider gave up
// (DeliveryFailed) or reported it undelivered. The Problems page lists them.
type FailedDelivery struct {
	MessageID      int64
	ConversationID int64
	Channel        Channel
	InboxID        *int64
	Status         string // DeliveryFailed or DeliveryUndelivered
	Reason         string // the provider's or the channel's words
	Text           string // the start of the message
	CreatedAt      time.Time
}

// failedPreview is how much of a failed message's text is listed.
const failedPreview = 140

// FailedDeliveries lists the outbound messages that failed for good, newest first, at most
// limit (1 to 500) of them; the partial index of migration 100 serves it.
func (s *Store) FailedDeliveries(ctx context.Context, limit int) ([]FailedDelivery, error) {
	limit = min(max(limit, 1), 500)
	rows, err := s.pool.Query(ctx, `SELECT id, conversation_id, channel, inbox_id, delivery_status, delivery_error,
			left(text, $2), created_at
		FROM messages WHERE delivery_status IN ('failed', 'undelivered') ORDER BY id DESC LIMIT $1`, limit, failedPreview)
	if err != nil {
		return nil, fmt.Errorf("inbox: failed deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FailedDelivery, error) {
		var f FailedDelivery
		err := r.Scan(&f.MessageID, &f.ConversationID, &f.Channel, &f.InboxID, &f.Status, &f.Reason, &f.Text, &f.CreatedAt)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: failed deliveries: %w", err)
	}
	return out, nil
}

// RetryDelivery puts an outbound message that failed for good back in the queue: its status
// becomes queued again and a message.delivery event with data {"retry": <unix ms>} announces
// it, in one transaction with the delivery job the store's Jobs insert for that event (each
// retry is a job of its own, so an earlier job, completed or cancelled, does not hold it back).
// A message that is not a failed outbound one is ErrConflict; an unknown one ErrNotFound.
func (s *Store) RetryDelivery(ctx context.Context, messageID int64, actor Actor) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return s.RetryDeliveryTx(ctx, tx, messageID, actor) })
}

// RetryDeliveryTx is RetryDelivery in the caller's transaction (an audited admin action).
func (s *Store) RetryDeliveryTx(ctx context.Context, tx pgx.Tx, messageID int64, actor Actor) error {
	var convID int64
	var status string
	err := tx.QueryRow(ctx, `SELECT conversation_id, delivery_status FROM messages
		WHERE id = $1 AND direction = 'outbound' FOR UPDATE`, messageID).Scan(&convID, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("inbox: retry delivery %d: %w", messageID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("inbox: retry delivery %d: %w", messageID, err)
	}
	if status != DeliveryFailed && status != DeliveryUndelivered {
		return fmt.Errorf("inbox: retry delivery %d: it is %s, not failed: %w", messageID, status, ErrConflict)
	}
	if _, err := tx.Exec(ctx, `UPDATE messages SET delivery_status = 'queued', delivery_error = '' WHERE id = $1`,
		messageID); err != nil {
		return fmt.Errorf("inbox: retry delivery %d: %w", messageID, err)
	}
	c, err := scanConvState(tx.QueryRow(ctx, "SELECT "+convStateCols+" FROM conversations WHERE id = $1", convID))
	if err != nil {
		return fmt.Errorf("inbox: retry delivery %d: %w", messageID, err)
	}
	now := s.now()
	e := c.event(EventMessageDelivery, now)
	e.MessageID, e.Delivery, e.Previous, e.AgentID = messageID, DeliveryQueued, status, actor.AgentID
	e.Data = map[string]any{"retry": now.UnixMilli()}
	return s.Publish(ctx, tx, e)
}
