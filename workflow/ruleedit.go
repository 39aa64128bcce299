package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Update replaces a rule's name, conditions and actions with those of nr, checked as Add checks
// them. nr.RuleSet empty keeps the rule in its set; another name moves it there (creating the
// set as Add does). nr.Position 0 keeps its place in its own set (the end of another); another
// place moves it, the rules between shifting by one. An unknown id is inbox.ErrNotFound; bad
// input a *inbox.ValidationError, and nothing changes.
func (r *Rules) Update(ctx context.Context, id int64, nr NewRule) (Rule, error) {
	keepSet := strings.TrimSpace(nr.RuleSet) == ""
	if err := nr.normalize(); err != nil {
		return Rule{}, fmt.Errorf("workflow: update rule: %w", err)
	}
	if err := r.resolve(ctx, &nr); err != nil {
		return Rule{}, fmt.Errorf("workflow: update rule: %w", err)
	}
	fields, err := nr.fieldValues()
	if err != nil {
		return Rule{}, fmt.Errorf("workflow: update rule: %w", err)
	}
	var out Rule
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var curSet int64
		var curName string
		var curPos int
		// FOR UPDATE of the set, as Delete takes it: no rule joins or leaves it meanwhile.
		err := tx.QueryRow(ctx, `SELECT s.id, s.name, r.position FROM routing_rules r JOIN rule_sets s ON s.id = r.rule_set_id
			WHERE r.id = $1 FOR UPDATE OF s`, id).Scan(&curSet, &curName, &curPos)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("rule %d: %w", id, inbox.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if keepSet {
			nr.RuleSet = curName
		}
		setID := curSet
		if nr.RuleSet != curName {
			if setID, err = upsertRuleSet(ctx, tx, RuleSetChange{Name: nr.RuleSet}, r.store.Now()); err != nil {
				return err
			}
		}
		pos, err := r.placeRule(ctx, tx, id, curSet, curPos, setID, nr.Position)
		if err != nil {
			return err
		}
		out, err = r.saved(ctx, tx, tx.QueryRow(ctx, `UPDATE routing_rules SET (rule_set_id, name, position, `+ruleFieldCols+`)
			= ROW($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) WHERE id = $1 RETURNING `+ruleCols,
			append([]any{id, setID, nr.Name, pos}, fields...)...), nr, "updated")
		return err
	})
	if err != nil {
		return Rule{}, fmt.Errorf("workflow: update rule: %w", err)
	}
	out.RuleSet = nr.RuleSet
	return out, nil
}

// placeRule makes room for rule id at position want (0: keep it, or last in another set) of set
// toSet, moving it from place curPos of set fromSet, and returns its new position. The
// positions' uniqueness is checked at commit, so the shifts may pass through duplicates.
func (r *Rules) placeRule(ctx context.Context, tx pgx.Tx, id, fromSet int64, curPos int, toSet int64, want int) (int, error) {
	var count int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM routing_rules WHERE rule_set_id = $1 AND id <> $2`, toSet, id).Scan(&count); err != nil {
		return 0, err
	}
	if fromSet == toSet {
		pos := want
		if pos == 0 {
			pos = curPos
		}
		pos = min(pos, count+1)
		var err error
		switch {
		case pos < curPos:
			_, err = tx.Exec(ctx, `UPDATE routing_rules SET position = position + 1
				WHERE rule_set_id = $1 AND position >= $2 AND position < $3`, toSet, pos, curPos)
		case pos > curPos:
			_, err = tx.Exec(ctx, `UPDATE routing_rules SET position = position - 1
				WHERE rule_set_id = $1 AND position > $2 AND position <= $3`, toSet, curPos, pos)
		}
		return pos, err
	}
	if _, err := tx.Exec(ctx, `UPDATE routing_rules SET position = position - 1 WHERE rule_set_id = $1 AND position > $2`,
		fromSet, curPos); err != nil {
		return 0, err
	}
	pos := want
	if pos == 0 || pos > count+1 {
		pos = count + 1
	}
	if _, err := tx.Exec(ctx, `UPDATE routing_rules SET position = position + 1 WHERE rule_set_id = $1 AND position >= $2`,
		toSet, pos); err != nil {
		return 0, err
	}
	return pos, nil
}
