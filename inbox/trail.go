package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AddAuditTx adds an entry to a conversation's audit trail in the caller's transaction without
// changing the conversation, for the workflow to say why it acted (kind "routed" names the
// routing rules that fired). An unknown conversation is ErrNotFound; kind must not be empty.
func (s *Store) AddAuditTx(ctx context.Context, tx pgx.Tx, conversationID int64, by Actor, kind string, data map[string]any) error {
	if kind == "" {
		return fmt.Errorf("inbox: audit: %w", invalid("kind", "is required"))
	}
	var contactID int64
	err := tx.QueryRow(ctx, `SELECT contact_id FROM conversations WHERE id = $1`, conversationID).Scan(&contactID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("inbox: audit: conversation %d: %w", conversationID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("inbox: audit: %w", err)
	}
	if data == nil {
		data = map[string]any{}
	}
	return audit(ctx, tx, auditEntry{conversationID: &conversationID, contactID: &contactID,
		agentID: nonZero(by.AgentID), actor: by.kind(), kind: kind, data: data, at: s.now()})
}
