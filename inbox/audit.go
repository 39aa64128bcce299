package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Audit returns a conversation's audit trail (assignments, status changes, breaches the
// workflow records, ...), oldest first, at most 500 entries.
func (s *Store) Audit(ctx context.Context, conversationID int64) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, conversation_id, contact_id, agent_id, actor, kind, data, created_at
		FROM conversation_events WHERE conversation_id = $1 ORDER BY id LIMIT 500`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("inbox: audit: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var a AuditEntry
		err := r.Scan(&a.ID, &a.ConversationID, &a.ContactID, &a.AgentID, &a.Actor, &a.Kind, &a.Data, &a.CreatedAt)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: audit: %w", err)
	}
	return out, nil
}
