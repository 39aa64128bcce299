package inbox

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Timeline is a conversation's state and the instants its service is measured by: when it
// started, was first answered, resolved and closed, and each status change in order.
type Timeline struct {
	Status     Status
	Priority   Priority
	TeamID     int64 // 0: none
	AssigneeID int64 // 0: none
	ContactID  int64
	CreatedAt  time.Time
	// FirstResponseAt, ResolvedAt and ClosedAt are nil until they happen.
	FirstResponseAt *time.Time
	ResolvedAt      *time.Time
	ClosedAt        *time.Time
	// StatusChanges are the audit trail's status changes, oldest first.
	StatusChanges []StatusChange
}

// StatusChange is one entry of a conversation's status history.
type StatusChange struct {
	To Status
	At time.Time
}

// QueueTimeline queues on b the reads of conversation id's Timeline, for a caller that reads
// its own tables in the same round trip: t is filled as the batch's results are read (Close
// on the BatchResults reads them all), in the caller's transaction. An unknown conversation
// fails the batch with ErrNotFound.
func (s *Store) QueueTimeline(b *pgx.Batch, id int64, t *Timeline) {
	b.Queue(`SELECT status, priority, coalesce(team_id, 0), coalesce(assignee_id, 0), contact_id, created_at,
		first_response_at, resolved_at, closed_at FROM conversations WHERE id = $1`, id).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&t.Status, &t.Priority, &t.TeamID, &t.AssigneeID, &t.ContactID, &t.CreatedAt,
			&t.FirstResponseAt, &t.ResolvedAt, &t.ClosedAt)
		if err != nil {
			return fmt.Errorf("inbox: timeline of conversation %d: %w", id, notFound(err))
		}
		return nil
	})
	b.Queue(`SELECT coalesce(data->>'to', ''), created_at FROM conversation_events
		WHERE conversation_id = $1 AND kind = 'status' ORDER BY id`, id).Query(func(rows pgx.Rows) error {
		changes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[StatusChange])
		if err != nil {
			return fmt.Errorf("inbox: status history of conversation %d: %w", id, err)
		}
		t.StatusChanges = changes
		return nil
	})
}

// Replies are the instants of a conversation's back-and-forth that response targets are
// measured by. Only public replies of human agents count (no notes, no automatic messages),
// and only customer messages that are not automatic.
type Replies struct {
	// LastReplyAt is the latest reply (nil: none yet).
	LastReplyAt *time.Time
	// WaitingSince is the first customer message after that reply (nil: the customer is not
	// waiting for one).
	WaitingSince *time.Time
	// FirstReplySince is the first reply at or after the instant asked about (nil: none, or no
	// instant asked about).
	FirstReplySince *time.Time
}

// QueueReplies queues on b the read of conversation id's Replies, with FirstReplySince counted
// from since (nil: not asked), for a caller that reads its own tables in the same round trip:
// r is filled as the batch's results are read (Close on the BatchResults reads them all), in
// the caller's transaction.
func (s *Store) QueueReplies(b *pgx.Batch, id int64, since *time.Time, r *Replies) {
	b.Queue(`WITH r AS (SELECT id, created_at FROM messages WHERE conversation_id = $1 AND direction = 'outbound'
			AND author_agent_id IS NOT NULL AND auto = '' ORDER BY id DESC LIMIT 1)
		SELECT (SELECT created_at FROM r),
			(SELECT m.created_at FROM messages m, r WHERE m.conversation_id = $1 AND m.direction = 'inbound'
				AND m.auto = '' AND m.id > r.id ORDER BY m.id LIMIT 1),
			(SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = $1 AND m.direction = 'outbound'
				AND m.author_agent_id IS NOT NULL AND m.auto = '' AND m.created_at >= $2::timestamptz)`,
		id, since).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&r.LastReplyAt, &r.WaitingSince, &r.FirstReplySince); err != nil {
			return fmt.Errorf("inbox: replies of conversation %d: %w", id, err)
		}
		return nil
	})
}
