package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// This file holds the SQL of the Slack channel's own tables (migrations/040_slack.sql):
// slack_events and slack_threads. Everything else goes through the inbox.

// externalID is a Slack message's idempotency key: its channel and ts, which name one message
// in all of Slack (a Slack Connect channel keeps its id in every workspace).
func externalID(channel, ts string) string { return channel + ":" + ts }

// markEvent records that the event was handled, in the transaction that handles it. It reports
// false when the event was handled before (a redelivery): the caller then changes nothing. An
// event without an id is always new; its message's external id still deduplicates it.
func markEvent(ctx context.Context, tx pgx.Tx, eventID string, inboxID int64, at time.Time) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO slack_events (event_id, inbox_id, received_at) VALUES ($1, $2, $3)
		ON CONFLICT (event_id) DO NOTHING`, eventID, inboxID, at)
	if err != nil {
		return false, fmt.Errorf("slack: record event %s: %w", eventID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// threadConversation returns the conversation a Slack thread belongs to, or 0.
func threadConversation(ctx context.Context, tx pgx.Tx, channel, rootTS string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT conversation_id FROM slack_threads WHERE channel = $1 AND root_ts = $2`,
		channel, rootTS).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("slack: find thread: %w", err)
	}
	return id, nil
}

// saveThread maps a thread to the conversation its latest customer message went to (a reply in
// the thread of a closed conversation starts a new one, which takes the thread over).
func saveThread(ctx context.Context, tx pgx.Tx, channel, rootTS string, conversationID int64, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO slack_threads (channel, root_ts, conversation_id, last_message_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (channel, root_ts) DO UPDATE SET conversation_id = EXCLUDED.conversation_id,
			last_message_at = greatest(slack_threads.last_message_at, EXCLUDED.last_message_at)`,
		channel, rootTS, conversationID, at)
	if err != nil {
		return fmt.Errorf("slack: save thread: %w", err)
	}
	return nil
}

// querier is what reads need: a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// latestThread returns the thread a reply to the conversation goes to: the one its customer
// wrote in last. It returns ok false when the conversation has no Slack thread.
func latestThread(ctx context.Context, q querier, conversationID int64) (channel, rootTS string, ok bool, err error) {
	err = q.QueryRow(ctx, `SELECT channel, root_ts FROM slack_threads WHERE conversation_id = $1
		ORDER BY last_message_at DESC LIMIT 1`, conversationID).Scan(&channel, &rootTS)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("slack: find reply thread: %w", err)
	}
	return channel, rootTS, true, nil
}

// tsTime reads a Slack ts ("1700000000.000100": seconds and microseconds) as a time; a ts that
// is not one gives the zero time.
func tsTime(ts string) time.Time {
	secs, micros, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || len(micros) != 6 {
		us = 0
	}
	return time.Unix(s, us*1000).UTC()
}

// EventLog is the record of handled Events API deliveries (slack_events), pruned hourly by the
// prune job (PruneArgs).
type EventLog struct {
	pool *pgxpool.Pool
}

// NewEventLog returns the event log on pool.
func NewEventLog(pool *pgxpool.Pool) *EventLog { return &EventLog{pool: pool} }

// PruneSlackEvents deletes the event ids handled before before and says how many went. A
// redelivery of a pruned event would be taken for new, but its message's external id still
// keeps it from being stored twice.
func (l *EventLog) PruneSlackEvents(ctx context.Context, before time.Time) (int64, error) {
	tag, err := l.pool.Exec(ctx, `DELETE FROM slack_events WHERE received_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("slack: prune events: %w", err)
	}
	return tag.RowsAffected(), nil
}
