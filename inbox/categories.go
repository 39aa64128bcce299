package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Category is an entry of the admin-managed list conversations are filed under: a top-level
// category ("Delivery") or a child of one ("Delivery › Damaged"); no deeper. A complaint
// category makes its conversations complaints: they need a resolution code to be resolved and
// they appear in the complaint register. An archived category is offered no more but stays on
// the conversations that carry it.
type Category struct {
	ID        int64  `json:"id"`
	ParentID  *int64 `json:"parent_id,omitempty"`
	Name      string `json:"name"`
	Path      string `json:"path"` // "Delivery › Damaged"
	Complaint bool   `json:"complaint"`
	Archived  bool   `json:"archived"`
}

// ResolutionCode is how a complaint was settled ("Refund", "Replacement", "No fault found"),
// from an admin-managed list; archived codes are offered no more.
type ResolutionCode struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Archived bool   `json:"archived"`
}

// CategorySeparator joins a child category's name to its parent's in a path.
const CategorySeparator = " › "

// MaxCategoryLen is the longest name of a category or resolution code.
const MaxCategoryLen = 50

// categoryPathSQL is the path of category k (its parent p, if any, LEFT JOINed).
const categoryPathSQL = `CASE WHEN p.id IS NULL THEN k.name ELSE p.name || ' › ' || k.name END`

// Categories lists every category, archived ones included, parents each followed by their
// children, by name.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT k.id, k.parent_id, k.name, `+categoryPathSQL+`, k.complaint,
			k.archived_at IS NOT NULL OR coalesce(p.archived_at IS NOT NULL, false)
		FROM categories k LEFT JOIN categories p ON p.id = k.parent_id
		ORDER BY lower(coalesce(p.name, k.name)), k.parent_id IS NOT NULL, lower(k.name)`)
	if err != nil {
		return nil, fmt.Errorf("inbox: categories: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Category, error) {
		var c Category
		err := r.Scan(&c.ID, &c.ParentID, &c.Name, &c.Path, &c.Complaint, &c.Archived)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: categories: %w", err)
	}
	return out, nil
}

// CategoryByPath finds a category by its path ("Delivery › Damaged", "Delivery > Damaged" or
// "delivery/damaged", ignoring case and spaces around the names) or, for a top-level one, its
// name. An unknown path is a *ValidationError on field.
func (s *Store) CategoryByPath(ctx context.Context, field, path string) (Category, error) {
	parts := splitCategoryPath(path)
	if len(parts) == 0 || len(parts) > 2 {
		return Category{}, fmt.Errorf("inbox: category: %w", invalid(field, "name a category as \"Parent\" or \"Parent › Child\""))
	}
	parent, child := parts[0], ""
	if len(parts) == 2 {
		child = parts[1]
	}
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT k.id FROM categories k LEFT JOIN categories p ON p.id = k.parent_id
		WHERE CASE WHEN $2 = '' THEN k.parent_id IS NULL AND lower(k.name) = lower($1)
			ELSE lower(p.name) = lower($1) AND lower(k.name) = lower($2) END`, parent, child).Scan(&id)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Category{}, fmt.Errorf("inbox: category: %w", invalid(field, "no category %q; an admin adds categories under Admin › Categories", strings.Join(parts, CategorySeparator)))
		}
		return Category{}, fmt.Errorf("inbox: category: %w", err)
	}
	return s.Category(ctx, field, id)
}

// Category returns one category by id; an unknown id is a *ValidationError on field.
func (s *Store) Category(ctx context.Context, field string, id int64) (Category, error) {
	var c Category
	err := s.pool.QueryRow(ctx, `SELECT k.id, k.parent_id, k.name, `+categoryPathSQL+`, k.complaint,
			k.archived_at IS NOT NULL OR coalesce(p.archived_at IS NOT NULL, false)
		FROM categories k LEFT JOIN categories p ON p.id = k.parent_id WHERE k.id = $1`, id).
		Scan(&c.ID, &c.ParentID, &c.Name, &c.Path, &c.Complaint, &c.Archived)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("inbox: category: %w", invalid(field, "no category %d", id))
	}
	if err != nil {
		return c, fmt.Errorf("inbox: category %d: %w", id, err)
	}
	return c, nil
}

func splitCategoryPath(path string) []string {
	path = strings.NewReplacer("›", "\x00", ">", "\x00", "/", "\x00").Replace(path)
	var out []string
	for _, p := range strings.Split(path, "\x00") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CategoryInput is a new category or the change of one.
type CategoryInput struct {
	ID        int64  // 0: a new category
	ParentID  int64  // 0: top level (a new category only; categories do not move)
	Name      string // 1-50 characters, without ›, > or /
	Complaint bool
	Archived  bool
}

// SaveCategoryTx adds or changes a category in tx and returns it. A name that is empty, too
// long or holds a path separator, a parent that is itself a child or unknown, is a
// *ValidationError; a name its level holds already is ErrConflict; an unknown id ErrNotFound.
// Renaming one renames the path its conversations show.
func (s *Store) SaveCategoryTx(ctx context.Context, tx pgx.Tx, in CategoryInput) (Category, error) {
	name, err := cleanListName(in.Name)
	if err != nil {
		return Category{}, err
	}
	var archived *time.Time
	if in.Archived {
		now := s.now()
		archived = &now
	}
	var id int64
	if in.ID == 0 {
		if in.ParentID != 0 {
			var grand *int64
			if err := tx.QueryRow(ctx, `SELECT parent_id FROM categories WHERE id = $1`, in.ParentID).Scan(&grand); err != nil {
				return Category{}, fmt.Errorf("inbox: category: %w", invalid("parent_id", "no category %d", in.ParentID))
			}
			if grand != nil {
				return Category{}, fmt.Errorf("inbox: category: %w", invalid("parent_id", "categories have two levels: a child cannot have children"))
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO categories (parent_id, name, complaint, archived_at, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, nonZero(in.ParentID), name, in.Complaint, archived, s.now()).Scan(&id)
	} else {
		err = tx.QueryRow(ctx, `UPDATE categories SET name = $2, complaint = $3,
				archived_at = CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE coalesce(archived_at, $4) END
			WHERE id = $1 RETURNING id`, in.ID, name, in.Complaint, archived).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return Category{}, fmt.Errorf("inbox: category %d: %w", in.ID, ErrNotFound)
		}
	}
	if isUniqueViolation(err) {
		return Category{}, fmt.Errorf("inbox: category %q exists: %w", name, ErrConflict)
	}
	if err != nil {
		return Category{}, fmt.Errorf("inbox: category: %w", err)
	}
	if in.ID != 0 {
		// The path conversations carry as text follows a rename (of the category or its parent).
		if _, err := tx.Exec(ctx, `UPDATE conversations c SET category = `+categoryPathSQL+`
			FROM categories k LEFT JOIN categories p ON p.id = k.parent_id
			WHERE c.category_id = k.id AND (k.id = $1 OR k.parent_id = $1) AND c.category <> `+categoryPathSQL, id); err != nil {
			return Category{}, fmt.Errorf("inbox: category: %w", err)
		}
	}
	var c Category
	err = tx.QueryRow(ctx, `SELECT k.id, k.parent_id, k.name, `+categoryPathSQL+`, k.complaint, k.archived_at IS NOT NULL
		FROM categories k LEFT JOIN categories p ON p.id = k.parent_id WHERE k.id = $1`, id).
		Scan(&c.ID, &c.ParentID, &c.Name, &c.Path, &c.Complaint, &c.Archived)
	if err != nil {
		return Category{}, fmt.Errorf("inbox: category: %w", err)
	}
	return c, nil
}

// EnsureCategoryPathTx returns the category at path ("Delivery › Damaged", split as
// CategoryByPath splits it), adding in tx whichever of its levels is missing; a level it adds is
// a complaint category when complaint is set and it is the last. Seeds (the demo) and tests
// use it to name the categories they need.
func (s *Store) EnsureCategoryPathTx(ctx context.Context, tx pgx.Tx, path string, complaint bool) (Category, error) {
	parts := splitCategoryPath(path)
	if len(parts) == 0 || len(parts) > 2 {
		return Category{}, fmt.Errorf("inbox: category: %w", invalid("category", "name a category as \"Parent\" or \"Parent › Child\""))
	}
	var c Category
	for i, name := range parts {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM categories
			WHERE parent_id IS NOT DISTINCT FROM $1 AND lower(name) = lower($2)`, nonZero(c.ID), name).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			if c, err = s.SaveCategoryTx(ctx, tx, CategoryInput{ParentID: c.ID, Name: name, Complaint: complaint && i == len(parts)-1}); err != nil {
				return Category{}, err
			}
			continue
		}
		if err != nil {
			return Category{}, fmt.Errorf("inbox: category %q: %w", path, err)
		}
		c.ID = id
	}
	if c.Path == "" { // every level was there: read the last whole
		var err error
		if c, err = s.Category(ctx, "category", c.ID); err != nil {
			return Category{}, err
		}
	}
	return c, nil
}

// ResolutionCodes lists every resolution code, archived ones included, by name.
func (s *Store) ResolutionCodes(ctx context.Context) ([]ResolutionCode, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, archived_at IS NOT NULL FROM resolution_codes ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("inbox: resolution codes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ResolutionCode, error) {
		var c ResolutionCode
		err := r.Scan(&c.ID, &c.Name, &c.Archived)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: resolution codes: %w", err)
	}
	return out, nil
}

// SaveResolutionCodeTx adds (id 0) or renames and archives a resolution code in tx. A bad name
// is a *ValidationError, a taken one ErrConflict, an unknown id ErrNotFound.
func (s *Store) SaveResolutionCodeTx(ctx context.Context, tx pgx.Tx, id int64, name string, archived bool) (ResolutionCode, error) {
	name, err := cleanListName(name)
	if err != nil {
		return ResolutionCode{}, err
	}
	var at *time.Time
	if archived {
		now := s.now()
		at = &now
	}
	c := ResolutionCode{Name: name, Archived: archived}
	if id == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO resolution_codes (name, archived_at, created_at) VALUES ($1, $2, $3) RETURNING id`,
			name, at, s.now()).Scan(&c.ID)
	} else {
		err = tx.QueryRow(ctx, `UPDATE resolution_codes SET name = $2,
				archived_at = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE coalesce(archived_at, $3) END
			WHERE id = $1 RETURNING id`, id, name, at).Scan(&c.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return c, fmt.Errorf("inbox: resolution code %d: %w", id, ErrNotFound)
		}
	}
	if isUniqueViolation(err) {
		return c, fmt.Errorf("inbox: resolution code %q exists: %w", name, ErrConflict)
	}
	if err != nil {
		return c, fmt.Errorf("inbox: resolution code: %w", err)
	}
	return c, nil
}

// cleanListName trims a category's or resolution code's name and checks it.
func cleanListName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if err := CleanAgentText("name", name); err != nil {
		return "", fmt.Errorf("inbox: name: %w", err)
	}
	if name == "" || utf8.RuneCountInString(name) > MaxCategoryLen || strings.ContainsAny(name, "›>/") {
		return "", fmt.Errorf("inbox: name: %w", invalid("name", "1-%d characters, without ›, > or /", MaxCategoryLen))
	}
	return name, nil
}

// RequireCategoryTeams returns the ids of the teams that require a category before a
// conversation is resolved.
func (s *Store) RequireCategoryTeams(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM teams WHERE require_category`)
	if err != nil {
		return nil, fmt.Errorf("inbox: teams requiring a category: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("inbox: teams requiring a category: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SetRequireCategoryTx sets in tx whether a team requires a category before its conversations
// are resolved. An unknown team is ErrNotFound.
func (s *Store) SetRequireCategoryTx(ctx context.Context, tx pgx.Tx, teamID int64, on bool) error {
	tag, err := tx.Exec(ctx, `UPDATE teams SET require_category = $2 WHERE id = $1`, teamID, on)
	if err != nil {
		return fmt.Errorf("inbox: require category: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("inbox: team %d: %w", teamID, ErrNotFound)
	}
	return nil
}
