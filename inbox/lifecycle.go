package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// StatusSince is a conversation's status and when it entered it.
type StatusSince struct {
	Status Status
	// EntryID is the audit entry of the latest status change (0: the status it started with).
	EntryID int64
	// Since is when that change was made, else when the conversation started.
	Since time.Time
}

// LockStatusTx locks a conversation in tx and returns its status and when it entered it, for a
// timer that acts on a status that lasted too long. An unknown conversation is ErrNotFound.
func (s *Store) LockStatusTx(ctx context.Context, tx pgx.Tx, id int64) (StatusSince, error) {
	var st StatusSince
	err := tx.QueryRow(ctx, `SELECT c.status, coalesce(e.id, 0), coalesce(e.created_at, c.created_at)
		FROM conversations c LEFT JOIN LATERAL (SELECT id, created_at FROM conversation_events
			WHERE conversation_id = c.id AND kind = 'status' ORDER BY id DESC LIMIT 1) e ON true
		WHERE c.id = $1 FOR NO KEY UPDATE OF c`, id).Scan(&st.Status, &st.EntryID, &st.Since)
	if err != nil {
		return st, fmt.Errorf("inbox: status of conversation %d: %w", id, notFound(err))
	}
	return st, nil
}

// Resolution is what a satisfaction survey of a conversation's latest resolution needs to
// know.
type Resolution struct {
	Status     Status
	ResolvedAt *time.Time
	Category   string
	ContactID  int64
	TeamID     int64 // 0: none
	AssigneeID int64 // 0: none
	// Channel and InboxID are the customer's latest: those of their last inbound message that
	// was not automatic, else the conversation's (InboxID 0: none).
	Channel Channel
	InboxID int64
	// ResolvedBy is the agent of the latest change to resolved, else the assignee (nil: none).
	ResolvedBy *int64
	// CustomerWrote is whether the customer wrote in the conversation (a message of theirs that
	// was not automatic): not so in one an agent started that went unanswered.
	CustomerWrote bool
}

// LockResolutionTx locks a conversation in tx and returns what a survey of its latest
// resolution needs. An unknown conversation is ErrNotFound.
func (s *Store) LockResolutionTx(ctx context.Context, tx pgx.Tx, id int64) (Resolution, error) {
	var r Resolution
	err := tx.QueryRow(ctx, `SELECT c.status, c.resolved_at, c.category, c.contact_id, coalesce(c.team_id, 0),
			coalesce(c.assignee_id, 0), coalesce(m.channel, c.channel), coalesce(m.inbox_id, c.inbox_id, 0),
			coalesce(r.agent_id, c.assignee_id), m.channel IS NOT NULL
		FROM conversations c
		LEFT JOIN LATERAL (SELECT channel, inbox_id FROM messages WHERE conversation_id = c.id
			AND direction = 'inbound' AND auto = '' ORDER BY id DESC LIMIT 1) m ON true
		LEFT JOIN LATERAL (SELECT agent_id FROM conversation_events WHERE conversation_id = c.id
			AND kind = 'status' AND data->>'to' = 'resolved' ORDER BY id DESC LIMIT 1) r ON true
		WHERE c.id = $1 FOR NO KEY UPDATE OF c`, id).Scan(&r.Status, &r.ResolvedAt, &r.Category, &r.ContactID, &r.TeamID,
		&r.AssigneeID, &r.Channel, &r.InboxID, &r.ResolvedBy, &r.CustomerWrote)
	if err != nil {
		return r, fmt.Errorf("inbox: resolution of conversation %d: %w", id, notFound(err))
	}
	return r, nil
}

// GetConversationTx is GetConversation in the caller's transaction.
func (s *Store) GetConversationTx(ctx context.Context, tx pgx.Tx, id int64) (Conversation, error) {
	c, err := scanConversation(tx.QueryRow(ctx, "SELECT "+conversationCols+
		" FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = $1", id))
	if err != nil {
		return c, fmt.Errorf("inbox: conversation %d: %w", id, notFound(err))
	}
	return c, nil
}

// LatestConversationTx returns, in tx, a contact's latest conversation (the last one started),
// whatever its status. A contact without one is ErrNotFound.
func (s *Store) LatestConversationTx(ctx context.Context, tx pgx.Tx, contactID int64) (Conversation, error) {
	c, err := scanConversation(tx.QueryRow(ctx, "SELECT "+conversationCols+
		" FROM conversations c JOIN contacts k ON k.id = c.contact_id"+
		" WHERE c.id = (SELECT max(id) FROM conversations WHERE contact_id = $1)", contactID))
	if err != nil {
		return c, fmt.Errorf("inbox: latest conversation of contact %d: %w", contactID, notFound(err))
	}
	return c, nil
}

// Subjects returns the subjects of the conversations ids, for pages that list rows of their
// own about conversations; unknown ids are absent. It reads by primary key, one query for a
// page of ids.
func (s *Store) Subjects(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, subject FROM conversations WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: subjects: %w", err)
	}
	var id int64
	var subject string
	if _, err := pgx.ForEachRow(rows, []any{&id, &subject}, func() error {
		out[id] = subject
		return nil
	}); err != nil {
		return nil, fmt.Errorf("inbox: subjects: %w", err)
	}
	return out, nil
}
