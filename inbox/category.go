package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// EventConversationCategory announces a conversation's new category (Data["category"]).
const EventConversationCategory = "conversation.category"

// MaxCategoryLen is the longest category a conversation may carry.
const MaxCategoryLen = 50

// SetCategory files a conversation under a category such as "complaint" (lower-cased, trimmed;
// "" clears it) and returns the conversation. A category longer than MaxCategoryLen is a
// *ValidationError; an unknown conversation ErrNotFound.
func (s *Store) SetCategory(ctx context.Context, id int64, category string, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetCategoryTx(ctx, tx, id, category, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SetCategoryTx is SetCategory in the caller's transaction.
func (s *Store) SetCategoryTx(ctx context.Context, tx pgx.Tx, id int64, category string, by Actor) error {
	category, err := CleanCategory(category)
	if err != nil {
		return err
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	var previous string
	if err := tx.QueryRow(ctx, `SELECT category FROM conversations WHERE id = $1`, id).Scan(&previous); err != nil {
		return fmt.Errorf("inbox: category: %w", err)
	}
	if previous == category {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET category = $2 WHERE id = $1`, id, category); err != nil {
		return fmt.Errorf("inbox: category: %w", err)
	}
	e := c.event(EventConversationCategory, s.now())
	e.AgentID, e.Previous = by.AgentID, previous
	e.Data = map[string]any{"category": category}
	return s.record(ctx, tx, c, by, "category", map[string]any{"from": previous, "to": category}, e)
}

// CleanCategory returns category lower-cased and trimmed, or a *ValidationError when it is
// longer than MaxCategoryLen or spans lines.
func CleanCategory(category string) (string, error) {
	category = strings.ToLower(strings.TrimSpace(category))
	if len(category) > MaxCategoryLen || strings.ContainsAny(category, "\r\n") {
		return "", fmt.Errorf("inbox: category: %w", invalid("category", "at most %d characters on one line", MaxCategoryLen))
	}
	return category, nil
}

// CleanTags is how SetTags cleans tags (lower-cased, trimmed, without duplicates), for callers
// that check tags before they are stored, such as routing rules. A tag that is empty, longer
// than 50 characters or holds a comma is a *ValidationError.
func CleanTags(tags []string) ([]string, error) { return cleanTags(tags) }
