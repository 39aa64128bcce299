package inbox

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Canned is a canned response: a snippet an agent inserts into a reply by its shortcut.
type Canned struct {
	ID       int64  `json:"id"`
	Shortcut string `json:"shortcut"`
	Title    string `json:"title"`
	Body     string `json:"body"`
}

var shortcutRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

func (c *Canned) clean() error {
	c.Shortcut = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.Shortcut), "/")))
	c.Title = strings.TrimSpace(c.Title)
	c.Body = strings.TrimSpace(c.Body)
	switch {
	case !shortcutRe.MatchString(c.Shortcut):
		return invalid("shortcut", "1-40 lower-case letters, digits, - or _, starting with a letter or digit")
	case c.Title == "":
		return invalid("title", "is required")
	case c.Body == "":
		return invalid("body", "is required")
	case len(c.Body) > MaxTextBytes:
		return invalid("body", "longer than %d bytes", MaxTextBytes)
	}
	if err := CleanAgentText("title", c.Title); err != nil {
		return err
	}
	return CleanAgentText("body", c.Body)
}

// CannedResponses lists every canned response by shortcut.
func (s *Store) CannedResponses(ctx context.Context) ([]Canned, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, shortcut, title, body FROM canned_responses ORDER BY shortcut`)
	if err != nil {
		return nil, fmt.Errorf("inbox: canned: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Canned, error) {
		var c Canned
		err := r.Scan(&c.ID, &c.Shortcut, &c.Title, &c.Body)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: canned: %w", err)
	}
	return out, nil
}

// SaveCanned creates a canned response (c.ID 0) or replaces one. A shortcut already taken is
// ErrConflict; bad input is a *ValidationError; an unknown id is ErrNotFound.
func (s *Store) SaveCanned(ctx context.Context, c Canned, by Actor) (Canned, error) {
	var out Canned
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.SaveCannedTx(ctx, tx, c, by)
		return err
	})
	return out, err
}

// SaveCannedTx is SaveCanned in the caller's transaction (to audit it in the same).
func (s *Store) SaveCannedTx(ctx context.Context, tx pgx.Tx, c Canned, by Actor) (Canned, error) {
	if err := c.clean(); err != nil {
		return Canned{}, fmt.Errorf("inbox: canned: %w", err)
	}
	var err error
	if c.ID == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO canned_responses (shortcut, title, body, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.Shortcut, c.Title, c.Body, nonZero(by.AgentID), s.now()).Scan(&c.ID)
	} else {
		err = tx.QueryRow(ctx, `UPDATE canned_responses SET shortcut = $2, title = $3, body = $4, updated_at = $5
			WHERE id = $1 RETURNING id`, c.ID, c.Shortcut, c.Title, c.Body, s.now()).Scan(&c.ID)
	}
	if isUniqueViolation(err) {
		return Canned{}, fmt.Errorf("inbox: canned /%s exists: %w", c.Shortcut, ErrConflict)
	}
	if err != nil {
		return Canned{}, fmt.Errorf("inbox: canned: %w", notFound(err))
	}
	return c, nil
}

// DeleteCanned removes a canned response; an unknown id is ErrNotFound.
func (s *Store) DeleteCanned(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		_, err := s.DeleteCannedTx(ctx, tx, id)
		return err
	})
}

// DeleteCannedTx is DeleteCanned in the caller's transaction; it returns the shortcut the
// response had.
func (s *Store) DeleteCannedTx(ctx context.Context, tx pgx.Tx, id int64) (string, error) {
	var shortcut string
	err := tx.QueryRow(ctx, `DELETE FROM canned_responses WHERE id = $1 RETURNING shortcut`, id).Scan(&shortcut)
	if err != nil {
		return "", fmt.Errorf("inbox: canned %d: %w", id, notFound(err))
	}
	return shortcut, nil
}
