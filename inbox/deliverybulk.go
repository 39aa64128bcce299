package inbox

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// MarkDeliveredTx records in tx that the messages ids reached their recipient: each one not
// yet delivered becomes delivered and is announced with the message.delivery event
// UpdateDeliveryTx would publish for it, all in three statements and one Publish, whatever
// the number of messages. Rows are locked in id order, so two callers marking overlapping sets
// cannot deadlock. Ids of messages that do not exist are ignored. It returns how many messages
// changed.
func (s *Store) MarkDeliveredTx(ctx context.Context, tx pgx.Tx, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	type change struct {
		id, convID        int64
		previous, channel string
	}
	rows, err := tx.Query(ctx, `SELECT id, delivery_status, conversation_id, channel FROM messages
		WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, ids)
	if err != nil {
		return 0, fmt.Errorf("inbox: mark delivered: %w", err)
	}
	changes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (change, error) {
		var c change
		err := row.Scan(&c.id, &c.previous, &c.convID, &c.channel)
		return c, err
	})
	if err != nil {
		return 0, fmt.Errorf("inbox: mark delivered: %w", err)
	}
	changes = slices.DeleteFunc(changes, func(c change) bool { return c.previous == DeliveryDelivered })
	if len(changes) == 0 {
		return 0, nil
	}
	changed := make([]int64, len(changes))
	convIDs := make([]int64, 0, len(changes))
	for i, c := range changes {
		changed[i] = c.id
		convIDs = append(convIDs, c.convID)
	}
	if _, err := tx.Exec(ctx, `UPDATE messages SET delivery_status = $2, delivery_error = '' WHERE id = ANY($1)`,
		changed, DeliveryDelivered); err != nil {
		return 0, fmt.Errorf("inbox: mark delivered: %w", err)
	}
	convs, err := convStates(ctx, tx, convIDs)
	if err != nil {
		return 0, fmt.Errorf("inbox: mark delivered: %w", err)
	}
	now := s.now()
	events := make([]Event, 0, len(changes))
	for _, c := range changes {
		s.meter.Outbound(c.channel, DeliveryDelivered)
		e := convs[c.convID].event(EventMessageDelivery, now)
		e.MessageID, e.Delivery, e.Previous = c.id, DeliveryDelivered, c.previous
		events = append(events, e)
	}
	return len(changes), s.Publish(ctx, tx, events...)
}

// convStates reads the state of the conversations ids, by id.
func convStates(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]convState, error) {
	return queryConvStates(ctx, tx, "SELECT "+convStateCols+" FROM conversations WHERE id = ANY($1)", ids)
}

// queryConvStates runs q, a query of convStateCols with the ids as its one argument, and
// returns the states it read, by id.
func queryConvStates(ctx context.Context, tx pgx.Tx, q string, ids []int64) (map[int64]convState, error) {
	rows, err := tx.Query(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]convState, len(ids))
	for rows.Next() {
		c, err := scanConvState(rows)
		if err != nil {
			return nil, err
		}
		out[c.id] = c
	}
	return out, rows.Err()
}
