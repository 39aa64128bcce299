package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// deliveryRank orders delivery statuses so that reports arriving out of order never move a
// message backwards: a late "sent" does not overwrite "delivered", nor "failed".
func deliveryRank(status string) int {
	switch status {
	case DeliveryQueued:
		return 1
	case DeliverySending:
		return 2
	case DeliverySent:
		return 3
	case DeliveryUndelivered, DeliveryFailed:
		return 4
	case DeliveryDelivered:
		return 5
	}
	return 0
}

// DeliveryUpdate is news about an outbound message from its channel or provider.
type DeliveryUpdate struct {
	// MessageID addresses the message; when 0, Channel and ExternalID do (a provider callback).
	MessageID  int64
	Channel    Channel
	ExternalID string
	// SetExternalID records the provider's id for the message (after a send).
	SetExternalID string
	Status        string
	Error         string
	// Force moves the status even backwards (an agent's retry of a failed message).
	Force bool
}

// UpdateDelivery records a delivery status. It is idempotent and order-insensitive: a status
// that does not advance the message is ignored (reported false). It returns ErrNotFound when no
// message matches.
func (s *Store) UpdateDelivery(ctx context.Context, u DeliveryUpdate) (bool, error) {
	var changed bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		changed, err = s.UpdateDeliveryTx(ctx, tx, u)
		return err
	})
	return changed, err
}

// UpdateDeliveryTx is UpdateDelivery in the caller's transaction.
func (s *Store) UpdateDeliveryTx(ctx context.Context, tx pgx.Tx, u DeliveryUpdate) (bool, error) {
	if deliveryRank(u.Status) == 0 {
		return false, fmt.Errorf("inbox: delivery: %w", invalid("status", "unknown delivery status %q", u.Status))
	}
	var row pgx.Row
	const cols = ` m.id, m.delivery_status, m.conversation_id, m.channel FROM messages m `
	// FOR UPDATE only when the provider's id is recorded: external_id is part of a key
	// (channel, external_id), and the UPDATE below would take that lock anyway.
	lock := " FOR NO KEY UPDATE"
	if u.SetExternalID != "" {
		lock = " FOR UPDATE"
	}
	if u.MessageID != 0 {
		row = tx.QueryRow(ctx, "SELECT"+cols+"WHERE m.id = $1"+lock, u.MessageID)
	} else {
		row = tx.QueryRow(ctx, "SELECT"+cols+"WHERE m.channel = $1 AND m.external_id = $2"+lock, u.Channel, u.ExternalID)
	}
	var id, convID int64
	var current, channel string
	if err := row.Scan(&id, &current, &convID, &channel); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return false, fmt.Errorf("inbox: delivery: %w", ErrNotFound)
		}
		return false, fmt.Errorf("inbox: delivery: %w", err)
	}
	if !u.Force && deliveryRank(u.Status) <= deliveryRank(current) && u.SetExternalID == "" {
		return false, nil
	}
	status := u.Status
	if !u.Force && deliveryRank(u.Status) <= deliveryRank(current) {
		status = current
	}
	_, err := tx.Exec(ctx, `UPDATE messages SET delivery_status = $2,
			delivery_error = CASE WHEN $2 IN ('failed', 'undelivered') THEN $3 ELSE '' END,
			external_id = coalesce(nullif($4, ''), external_id)
		WHERE id = $1`, id, status, u.Error, u.SetExternalID)
	if err != nil {
		if isUniqueViolation(err) {
			return false, fmt.Errorf("inbox: delivery: %w", invalid("external_id", "%q already names another message", u.SetExternalID))
		}
		return false, fmt.Errorf("inbox: delivery: %w", err)
	}
	if status == current {
		return false, nil
	}
	if deliveryRank(status) >= deliveryRank(DeliverySent) {
		s.meter.Outbound(channel, status)
	}
	c, err := scanConvState(tx.QueryRow(ctx, "SELECT "+convStateCols+" FROM conversations WHERE id = $1", convID))
	if err != nil {
		return false, fmt.Errorf("inbox: delivery: %w", err)
	}
	e := c.event(EventMessageDelivery, s.now())
	e.MessageID, e.Delivery, e.Previous = id, status, current
	if u.Error != "" {
		e.Data = map[string]any{"error": u.Error}
	}
	return true, s.Publish(ctx, tx, e)
}
