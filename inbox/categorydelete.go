package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ListUse is what in the inbox's tables still carries a category or resolution code:
// conversations (closed ones too: the reports read them) and a category's sub-categories. The
// routing rules that set a category are the workflow's (workflow.CategoryRulesTx).
type ListUse struct {
	Conversations int
	Children      int
}

// InUse reports whether anything counted carries the entry.
func (u ListUse) InUse() bool { return u.Conversations > 0 || u.Children > 0 }

// DeleteCategoryTx deletes a category that nothing carries, in the caller's transaction, and
// returns its path. One that conversations or sub-categories carry stays, and the error is
// ErrConflict with use saying what carries it (archive it instead: it then stays on them and is
// offered no more); so is one a routing rule sets (the caller names those first). An unknown id
// is ErrNotFound.
func (s *Store) DeleteCategoryTx(ctx context.Context, tx pgx.Tx, id int64) (path string, use ListUse, err error) {
	err = tx.QueryRow(ctx, `SELECT `+categoryPathSQL+`,
			(SELECT count(*) FROM conversations WHERE category_id = k.id),
			(SELECT count(*) FROM categories WHERE parent_id = k.id)
		FROM categories k LEFT JOIN categories p ON p.id = k.parent_id WHERE k.id = $1 FOR UPDATE OF k`, id).
		Scan(&path, &use.Conversations, &use.Children)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", use, fmt.Errorf("inbox: category %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", use, fmt.Errorf("inbox: category %d: %w", id, err)
	}
	if use.InUse() {
		return path, use, fmt.Errorf("inbox: category %d is in use: %w", id, ErrConflict)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM categories WHERE id = $1`, id); err != nil {
		return path, use, fmt.Errorf("inbox: delete category %d: %w", id, ErrConflict)
	}
	return path, use, nil
}

// DeleteResolutionCodeTx deletes a resolution code no conversation carries, as
// DeleteCategoryTx does a category, and returns its name.
func (s *Store) DeleteResolutionCodeTx(ctx context.Context, tx pgx.Tx, id int64) (name string, use ListUse, err error) {
	err = tx.QueryRow(ctx, `SELECT name, (SELECT count(*) FROM conversations WHERE resolution_code_id = c.id)
		FROM resolution_codes c WHERE id = $1 FOR UPDATE`, id).Scan(&name, &use.Conversations)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", use, fmt.Errorf("inbox: resolution code %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", use, fmt.Errorf("inbox: resolution code %d: %w", id, err)
	}
	if use.InUse() {
		return name, use, fmt.Errorf("inbox: resolution code %d is in use: %w", id, ErrConflict)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM resolution_codes WHERE id = $1`, id); err != nil {
		return name, use, fmt.Errorf("inbox: delete resolution code %d: %w", id, ErrConflict)
	}
	return name, use, nil
}
