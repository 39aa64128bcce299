package webhook

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// PlanTx records a delivery for each event of a change and each enabled endpoint subscribed to
// its type, on the change's transaction tx, and returns the jobs that send them for the caller
// to insert on tx (workflow's Enqueuer inserts them with the change's other jobs). It costs one
// statement, which finds nothing when no endpoint is registered.
func PlanTx(ctx context.Context, tx pgx.Tx, events []inbox.Event) ([]river.InsertManyParams, error) {
	if len(events) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(events)
	if err != nil {
		return nil, fmt.Errorf("webhook: plan: %w", err)
	}
	rows, err := tx.Query(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_type, event, message_id, created_at)
		SELECT e.id, ev->>'type', ev,
			CASE WHEN ev->>'type' = 'message.created' THEN (ev->>'message_id')::bigint END, now()
		FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(ev, n)
		JOIN webhook_endpoints e ON e.disabled_at IS NULL AND ev->>'type' = ANY (e.events)
		ORDER BY x.n, e.id
		RETURNING id`, raw)
	if err != nil {
		return nil, fmt.Errorf("webhook: plan: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("webhook: plan: %w", err)
	}
	out := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		out[i] = river.InsertManyParams{Args: DeliverArgs{DeliveryID: id}}
	}
	return out, nil
}
