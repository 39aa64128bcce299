package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Delivery statuses.
const (
	StatusPending   = "pending"   // not attempted yet
	StatusRetrying  = "retrying"  // failed, tried again with backoff
	StatusSucceeded = "succeeded" // the endpoint answered 2xx
	StatusFailed    = "failed"    // gave up: the retry window passed or the address was refused
	StatusSkipped   = "skipped"   // the endpoint was disabled before it was sent
)

// Delivery is one event sent (or to be sent) to one endpoint, as the log shows it: the latest
// attempt's outcome.
type Delivery struct {
	ID           int64           `json:"id"`
	EndpointID   int64           `json:"endpoint_id"`
	EventType    string          `json:"event_type"`
	Event        json.RawMessage `json:"event"`
	Status       string          `json:"status"`
	Attempts     int             `json:"attempts"`
	ResponseCode *int            `json:"response_code,omitempty"`
	// ResponseExcerpt is the start of the response body, at most 512 bytes.
	ResponseExcerpt string     `json:"response_excerpt"`
	Error           string     `json:"error,omitempty"`
	DurationMS      *int       `json:"duration_ms,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	AttemptedAt     *time.Time `json:"attempted_at,omitempty"`
	RedeliveryOf    *int64     `json:"redelivery_of,omitempty"`
}

const deliveryColumns = `id, endpoint_id, event_type, event, status, attempts, response_code, response_excerpt,
	error, duration_ms, created_at, attempted_at, redelivery_of`

func scanDelivery(row pgx.Row) (Delivery, error) {
	var d Delivery
	err := row.Scan(&d.ID, &d.EndpointID, &d.EventType, &d.Event, &d.Status, &d.Attempts, &d.ResponseCode,
		&d.ResponseExcerpt, &d.Error, &d.DurationMS, &d.CreatedAt, &d.AttemptedAt, &d.RedeliveryOf)
	return d, err
}

// MaxPage bounds a page of the delivery log.
const MaxPage = 100

// Deliveries lists an endpoint's deliveries, newest first, limit of them (1 to MaxPage) with ids
// below before (0: from the newest). It returns inbox.ErrNotFound for an unknown endpoint.
func (s *Service) Deliveries(ctx context.Context, endpointID, before int64, limit int) ([]Delivery, error) {
	if _, err := s.Endpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), MaxPage)
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE endpoint_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, endpointID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook: deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("webhook: deliveries: %w", err)
	}
	return out, nil
}

// Delivery returns the delivery of id, or inbox.ErrNotFound.
func (s *Service) Delivery(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1`, id))
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: delivery %d: %w", id, notFound(err))
	}
	return d, nil
}

// Redeliver sends a delivery again, by hand, audited as by: a new delivery with the same body
// (and the same payload id, so the receiver can tell a repeat) and a retry window of its own,
// whose job commits with it. It returns inbox.ErrNotFound for an unknown delivery and
// inbox.ErrConflict when its endpoint is disabled.
func (s *Service) Redeliver(ctx context.Context, by inbox.AuditActor, id int64) (Delivery, error) {
	var d Delivery
	err := s.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var disabled bool
		err := tx.QueryRow(ctx, `SELECT e.disabled_at IS NOT NULL FROM webhook_deliveries d
			JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`, id).Scan(&disabled)
		if err != nil {
			return inbox.AuditRecord{}, notFound(err)
		}
		if disabled {
			return inbox.AuditRecord{}, fmt.Errorf("%w: the endpoint is disabled; enable it first", inbox.ErrConflict)
		}
		d, err = scanDelivery(tx.QueryRow(ctx, `INSERT INTO webhook_deliveries
				(endpoint_id, event_type, event, message_id, body, created_at, redelivery_of)
			SELECT endpoint_id, event_type, event, message_id, body, $2, id FROM webhook_deliveries WHERE id = $1
			RETURNING `+deliveryColumns, id, s.now()))
		if err != nil {
			return inbox.AuditRecord{}, err
		}
		if err := s.jobs.InsertTx(ctx, tx, DeliverArgs{DeliveryID: d.ID}); err != nil {
			return inbox.AuditRecord{}, err
		}
		return by.Record(inbox.AuditWebhookChanged, inbox.AuditTarget("webhook", d.EndpointID),
			map[string]any{"action": "redelivered", "delivery": id, "new_delivery": d.ID}), nil
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: redeliver %d: %w", id, err)
	}
	return d, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CarriesReply reports whether a message's message.created event went to at least one
// endpoint: an API channel reply is sent by those deliveries, and one with none reaches nobody.
func CarriesReply(ctx context.Context, db querier, messageID int64) (bool, error) {
	var ok bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE message_id = $1)`, messageID).Scan(&ok); err != nil {
		return false, fmt.Errorf("webhook: reply %d: %w", messageID, err)
	}
	return ok, nil
}
