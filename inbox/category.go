package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EventConversationCategory announces a conversation's new category or resolution code
// (Data: "category" the path, "category_id", "resolution_code", "resolution_code_id").
const EventConversationCategory = "conversation.category"

// SetCategory files a conversation under a category of the admin-managed list (categoryID 0
// clears it) and returns the conversation. An unknown or archived category is a
// *ValidationError; an unknown conversation ErrNotFound. Setting the category it has changes
// nothing.
func (s *Store) SetCategory(ctx context.Context, id, categoryID int64, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetCategoryTx(ctx, tx, id, categoryID, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SetCategoryTx is SetCategory in the caller's transaction.
func (s *Store) SetCategoryTx(ctx context.Context, tx pgx.Tx, id, categoryID int64, by Actor) error {
	path, err := usableCategory(ctx, tx, categoryID)
	if err != nil {
		return err
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	var prevID *int64
	var prevPath string
	if err := tx.QueryRow(ctx, `SELECT category_id, category FROM conversations WHERE id = $1`, id).Scan(&prevID, &prevPath); err != nil {
		return fmt.Errorf("inbox: category: %w", err)
	}
	if deref(prevID) == categoryID && prevPath == path {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET category_id = $2, category = $3 WHERE id = $1`, id, nonZero(categoryID), path); err != nil {
		return fmt.Errorf("inbox: category: %w", err)
	}
	e := c.event(EventConversationCategory, s.now())
	e.AgentID, e.Previous = by.AgentID, prevPath
	e.Data = map[string]any{"category": path, "category_id": categoryID}
	return s.record(ctx, tx, c, by, "category", map[string]any{"from": prevPath, "to": path,
		"from_id": deref(prevID), "to_id": categoryID}, e)
}

// SetResolutionCode records how a conversation was settled (codeID 0 clears it) and returns
// the conversation. An unknown or archived code is a *ValidationError; an unknown
// conversation ErrNotFound.
func (s *Store) SetResolutionCode(ctx context.Context, id, codeID int64, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetResolutionCodeTx(ctx, tx, id, codeID, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SetResolutionCodeTx is SetResolutionCode in the caller's transaction.
func (s *Store) SetResolutionCodeTx(ctx context.Context, tx pgx.Tx, id, codeID int64, by Actor) error {
	name, err := usableCode(ctx, tx, codeID)
	if err != nil {
		return err
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	var prevID *int64
	var prevName, path string
	var catID *int64
	if err := tx.QueryRow(ctx, `SELECT c.resolution_code_id, coalesce(r.name, ''), c.category_id, c.category
		FROM conversations c LEFT JOIN resolution_codes r ON r.id = c.resolution_code_id WHERE c.id = $1`, id).
		Scan(&prevID, &prevName, &catID, &path); err != nil {
		return fmt.Errorf("inbox: resolution code: %w", err)
	}
	if deref(prevID) == codeID {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET resolution_code_id = $2 WHERE id = $1`, id, nonZero(codeID)); err != nil {
		return fmt.Errorf("inbox: resolution code: %w", err)
	}
	e := c.event(EventConversationCategory, s.now())
	e.AgentID = by.AgentID
	e.Data = map[string]any{"category": path, "category_id": deref(catID), "resolution_code": name, "resolution_code_id": codeID}
	return s.record(ctx, tx, c, by, "resolution_code", map[string]any{"from": prevName, "to": name,
		"from_id": deref(prevID), "to_id": codeID}, e)
}

// CategoryChange is a change of a conversation's category, resolution code or both; a nil
// field keeps what the conversation has, 0 clears it.
type CategoryChange struct {
	CategoryID       *int64
	ResolutionCodeID *int64
}

// Categorize applies a CategoryChange in one transaction (the category first) and returns the
// conversation: both change or neither does. Errors are SetCategory's and SetResolutionCode's;
// a change of neither is a *ValidationError.
func (s *Store) Categorize(ctx context.Context, id int64, ch CategoryChange, by Actor) (Conversation, error) {
	if ch.CategoryID == nil && ch.ResolutionCodeID == nil {
		return Conversation{}, fmt.Errorf("inbox: categorize: %w", invalid("category_id", "give category_id, category or resolution_code_id"))
	}
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.categorizeTx(ctx, tx, id, ch, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// categorizeTx is Categorize in the caller's transaction.
func (s *Store) categorizeTx(ctx context.Context, tx pgx.Tx, id int64, ch CategoryChange, by Actor) error {
	if ch.CategoryID != nil {
		if err := s.SetCategoryTx(ctx, tx, id, *ch.CategoryID, by); err != nil {
			return err
		}
	}
	if ch.ResolutionCodeID != nil {
		return s.SetResolutionCodeTx(ctx, tx, id, *ch.ResolutionCodeID, by)
	}
	return nil
}

// SetStatusCoded sets a conversation's resolution code (when codeID is not 0) and then its
// status, in one transaction: how an agent resolves a complaint in one step.
func (s *Store) SetStatusCoded(ctx context.Context, id int64, status Status, codeID int64, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.setStatusCodedTx(ctx, tx, id, status, codeID, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// setStatusCodedTx is SetStatusCoded in the caller's transaction.
func (s *Store) setStatusCodedTx(ctx context.Context, tx pgx.Tx, id int64, status Status, codeID int64, by Actor) error {
	if codeID != 0 {
		if err := s.SetResolutionCodeTx(ctx, tx, id, codeID, by); err != nil {
			return err
		}
	}
	return s.SetStatusTx(ctx, tx, id, status, by)
}

// usableCategory returns the path of a category a conversation may be filed under ("" for 0,
// which clears it); an unknown or archived category is a *ValidationError.
func usableCategory(ctx context.Context, db rowQuerier, categoryID int64) (string, error) {
	if categoryID == 0 {
		return "", nil
	}
	var path string
	var archived bool
	err := db.QueryRow(ctx, `SELECT `+categoryPathSQL+`, k.archived_at IS NOT NULL OR coalesce(p.archived_at IS NOT NULL, false)
		FROM categories k LEFT JOIN categories p ON p.id = k.parent_id WHERE k.id = $1`, categoryID).Scan(&path, &archived)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("inbox: category: %w", invalid("category_id", "no category %d", categoryID))
	}
	if err != nil {
		return "", fmt.Errorf("inbox: category: %w", err)
	}
	if archived {
		return "", fmt.Errorf("inbox: category: %w", invalid("category_id", "%s is archived; choose another category", path))
	}
	return path, nil
}

// usableCode returns the name of a resolution code a conversation may take ("" for 0, which
// clears it); an unknown or archived code is a *ValidationError.
func usableCode(ctx context.Context, db rowQuerier, codeID int64) (string, error) {
	if codeID == 0 {
		return "", nil
	}
	var name string
	var archived bool
	err := db.QueryRow(ctx, `SELECT name, archived_at IS NOT NULL FROM resolution_codes WHERE id = $1`, codeID).Scan(&name, &archived)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("inbox: resolution code: %w", invalid("resolution_code_id", "no resolution code %d", codeID))
	}
	if err != nil {
		return "", fmt.Errorf("inbox: resolution code: %w", err)
	}
	if archived {
		return "", fmt.Errorf("inbox: resolution code: %w", invalid("resolution_code_id", "%s is archived; choose another code", name))
	}
	return name, nil
}

// checkResolvable refuses, with a *ValidationError naming what is missing, an agent's move of
// conversation c to resolved or closed when its team requires a category and it has none, or
// when its category is a complaint and it has no resolution code. The system's own moves (the
// workflow's auto-resolve) are not held back.
func (s *Store) checkResolvable(ctx context.Context, tx pgx.Tx, c convState, to Status, by Actor) error {
	if by.AgentID == 0 || (to != StatusResolved && to != StatusClosed) || c.status == StatusResolved || c.status == StatusClosed {
		return nil
	}
	var hasCategory, complaint, hasCode, required bool
	var path, team string
	err := tx.QueryRow(ctx, `SELECT c.category_id IS NOT NULL, coalesce(k.complaint, false), c.resolution_code_id IS NOT NULL,
			coalesce(t.require_category, false), c.category, coalesce(t.name, '')
		FROM conversations c LEFT JOIN categories k ON k.id = c.category_id LEFT JOIN teams t ON t.id = c.team_id
		WHERE c.id = $1`, c.id).Scan(&hasCategory, &complaint, &hasCode, &required, &path, &team)
	if err != nil {
		return fmt.Errorf("inbox: resolve: %w", err)
	}
	switch {
	case required && !hasCategory:
		return fmt.Errorf("inbox: resolve: %w", invalid("category",
			"the team %s requires a category before a conversation is resolved: set the category first", team))
	case complaint && !hasCode:
		return fmt.Errorf("inbox: resolve: %w", invalid("resolution_code",
			"%s is a complaint: choose a resolution code (how it was settled) before resolving it", path))
	}
	return nil
}

// CleanTags is how SetTags cleans tags (lower-cased, trimmed, without duplicates), for callers
// that check tags before they are stored, such as routing rules. A tag that is empty, longer
// than 50 characters or holds a comma is a *ValidationError.
func CleanTags(tags []string) ([]string, error) { return cleanTags(tags) }
