package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Routing is what the workflow's routing rules decided for a conversation. Zero fields change
// nothing.
type Routing struct {
	TeamID   int64
	Priority Priority
	Tags     []string
	// CategoryID is the category of the admin-managed list to file it under.
	CategoryID int64
	// Rules names the rules that fired, in the order they applied; the audit trail keeps them.
	Rules []RoutingRule
}

// RoutingRule names one routing rule that fired.
type RoutingRule struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	RuleSet string `json:"rule_set"`
}

// MarkRoutedTx claims a conversation's routing in tx: it marks the conversation routed (only
// routed conversations wait in their team's queue, so none is assigned before its team is
// settled) and holds its row until tx ends. It reports false, changing nothing, when the
// conversation was routed before or does not exist.
func (s *Store) MarkRoutedTx(ctx context.Context, tx pgx.Tx, id int64) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE conversations SET routed_at = $2 WHERE id = $1 AND routed_at IS NULL`, id, s.now())
	if err != nil {
		return false, fmt.Errorf("inbox: mark routed %d: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}

// ApplyRoutingTx applies a routing decision to a conversation in tx, on the system's behalf:
// its team, priority, tags and category, each a change of its own with its audit entry and
// event (a field equal to the conversation's changes nothing), then, when rules fired, an
// audit entry of kind "routed" with the rules' ids, names and sets. An unknown conversation
// is ErrNotFound, an unknown team or a bad priority, tag or category a *ValidationError.
func (s *Store) ApplyRoutingTx(ctx context.Context, tx pgx.Tx, id int64, r Routing) error {
	return s.ApplyRoutingManyTx(ctx, tx, []RoutingOf{{ConversationID: id, Routing: r}})
}
