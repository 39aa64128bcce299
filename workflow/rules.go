package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
)

// DefaultRuleSet is the rule set a rule joins when it names none. It exists from the start, in
// ModeFirst.
const DefaultRuleSet = "default"

// Rule is one routing rule: when its conditions hold, its actions apply.
type Rule struct {
	ID       int64  `json:"id"`
	RuleSet  string `json:"rule_set"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	Conditions
	Actions
	CreatedAt time.Time `json:"created_at"`
}

// RuleSet is an ordered list of rules and how they apply (Mode). Sets run in Position order.
type RuleSet struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Mode     Mode   `json:"mode"`
	Position int    `json:"position"`
	Rules    []Rule `json:"rules"`
}

// NewRule is the input of Rules.Add.
type NewRule struct {
	Name string `json:"name"`
	// RuleSet names the set the rule joins; empty means DefaultRuleSet. A set that does not
	// exist yet is created in ModeFirst after the others.
	RuleSet string `json:"rule_set,omitempty"`
	// Position is the rule's place in its set, from 1; the rules from there on move down one.
	// 0, or a place past the end, appends the rule.
	Position int `json:"position,omitempty"`
	Conditions
	Actions
	// SetTeam names the team to move conversations to, as SetTeamID does by id.
	SetTeam string `json:"set_team,omitempty"`
	// Companies names companies (by name, ignoring case) the customer may belong to, added to
	// CompanyIDs.
	Companies []string `json:"companies,omitempty"`
}

// RuleSetChange is the input of Rules.SetRuleSet.
type RuleSetChange struct {
	Name string `json:"name"`
	// Mode is the new mode; empty keeps it (ModeFirst for a new set).
	Mode Mode `json:"mode,omitempty"`
	// Position is the set's place among the sets, from 1; the sets from there on move down
	// one. 0 keeps it (after the others for a new set); a place past the end moves it last.
	Position int `json:"position,omitempty"`
}

// Rules keeps the routing rules in the database.
type Rules struct {
	pool  *pgxpool.Pool
	store *inbox.Store
	by    inbox.AuditActor // who the audit log names for the changes (see As)
}

// NewRules returns the rules stored on pool; store checks the teams and inboxes they name and
// gives the clock.
func NewRules(pool *pgxpool.Pool, store *inbox.Store) *Rules { return &Rules{pool: pool, store: store} }

// Add stores a rule at its place in its set. Bad input is a *inbox.ValidationError (an unknown
// channel, priority, team or inbox, a keyword without a word, a rule without an action).
func (r *Rules) Add(ctx context.Context, nr NewRule) (Rule, error) {
	if err := nr.normalize(); err != nil {
		return Rule{}, fmt.Errorf("workflow: add rule: %w", err)
	}
	if err := r.resolve(ctx, &nr); err != nil {
		return Rule{}, fmt.Errorf("workflow: add rule: %w", err)
	}
	var out Rule
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		setID, err := upsertRuleSet(ctx, tx, RuleSetChange{Name: nr.RuleSet}, r.store.Now())
		if err != nil {
			return err
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM routing_rules WHERE rule_set_id = $1`, setID).Scan(&count); err != nil {
			return err
		}
		pos := nr.Position
		if pos == 0 || pos > count+1 {
			pos = count + 1
		}
		if _, err := tx.Exec(ctx, `UPDATE routing_rules SET position = position + 1
			WHERE rule_set_id = $1 AND position >= $2`, setID, pos); err != nil {
			return err
		}
		fields, err := nr.fieldValues()
		if err != nil {
			return err
		}
		out, err = r.saved(ctx, tx, tx.QueryRow(ctx, `INSERT INTO routing_rules (rule_set_id, name, position, created_at, `+
			ruleFieldCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			RETURNING `+ruleCols, append([]any{setID, nr.Name, pos, r.store.Now()}, fields...)...), nr, "created")
		return err
	})
	if err != nil {
		return Rule{}, fmt.Errorf("workflow: add rule: %w", err)
	}
	out.RuleSet = nr.RuleSet
	return out, nil
}

// Delete removes a rule and closes the gap in its set. An unknown id is inbox.ErrNotFound.
func (r *Rules) Delete(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var setID int64
		// FOR UPDATE, not FOR NO KEY UPDATE, on purpose: a rule added to the set meanwhile
		// (its foreign key takes FOR KEY SHARE on the set) waits until the gap is closed.
		err := tx.QueryRow(ctx, `SELECT s.id FROM routing_rules r JOIN rule_sets s ON s.id = r.rule_set_id
			WHERE r.id = $1 FOR UPDATE OF s`, id).Scan(&setID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("rule %d: %w", id, inbox.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var pos int
		var name string
		if err := tx.QueryRow(ctx, `DELETE FROM routing_rules WHERE id = $1 RETURNING position, name`, id).Scan(&pos, &name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE routing_rules SET position = position - 1 WHERE rule_set_id = $1 AND position > $2`, setID, pos); err != nil {
			return err
		}
		return audit(ctx, tx, r.store, r.by, inbox.AuditRuleChanged, inbox.AuditTarget("rule", id),
			map[string]any{"action": "deleted", "name": name})
	})
	if err != nil {
		return fmt.Errorf("workflow: delete rule: %w", err)
	}
	return nil
}

// SetRuleSet creates a rule set or changes its mode or position.
func (r *Rules) SetRuleSet(ctx context.Context, ch RuleSetChange) (RuleSet, error) {
	ch.Name = strings.TrimSpace(ch.Name)
	if ch.Name == "" {
		return RuleSet{}, fmt.Errorf("workflow: rule set: %w", ruleInvalid("name", "is required"))
	}
	if ch.Mode != "" && !ch.Mode.Valid() {
		return RuleSet{}, fmt.Errorf("workflow: rule set: %w", ruleInvalid("mode", "must be first or all, not %q", ch.Mode))
	}
	if ch.Position < 0 {
		return RuleSet{}, fmt.Errorf("workflow: rule set: %w", ruleInvalid("position", "must be 1 or more (0 keeps it)"))
	}
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		id, err := upsertRuleSet(ctx, tx, ch, r.store.Now())
		if err != nil {
			return err
		}
		return audit(ctx, tx, r.store, r.by, inbox.AuditRuleChanged, inbox.AuditTarget("rule_set", id),
			map[string]any{"action": "rule_set", "name": ch.Name, "mode": string(ch.Mode), "position": ch.Position})
	})
	if err != nil {
		return RuleSet{}, fmt.Errorf("workflow: rule set: %w", err)
	}
	sets, err := r.Sets(ctx)
	if err != nil {
		return RuleSet{}, err
	}
	for _, s := range sets {
		if s.Name == ch.Name {
			return s, nil
		}
	}
	return RuleSet{}, fmt.Errorf("workflow: rule set %q: %w", ch.Name, inbox.ErrNotFound)
}

// Sets returns every rule set with its rules, in the order they are evaluated.
func (r *Rules) Sets(ctx context.Context) ([]RuleSet, error) {
	return loadRuleSets(ctx, r.pool)
}

// ruleReader is a pool or a transaction.
type ruleReader interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func loadRuleSets(ctx context.Context, q ruleReader) ([]RuleSet, error) {
	rows, err := q.Query(ctx, `SELECT id, name, mode, position FROM rule_sets ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("workflow: rule sets: %w", err)
	}
	sets, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RuleSet, error) {
		s := RuleSet{Rules: []Rule{}}
		err := row.Scan(&s.ID, &s.Name, &s.Mode, &s.Position)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: rule sets: %w", err)
	}
	index := make(map[int64]int, len(sets))
	for i, s := range sets {
		index[s.ID] = i
	}
	rows, err = q.Query(ctx, `SELECT rule_set_id, `+ruleCols+` FROM routing_rules ORDER BY rule_set_id, position`)
	if err != nil {
		return nil, fmt.Errorf("workflow: rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var setID int64
		var rule Rule
		if err := rows.Scan(append([]any{&setID}, ruleDest(&rule)...)...); err != nil {
			return nil, fmt.Errorf("workflow: rules: %w", err)
		}
		i, ok := index[setID]
		if !ok {
			return nil, fmt.Errorf("workflow: rule %d of rule set %d, which was not read", rule.ID, setID)
		}
		s := &sets[i]
		rule.RuleSet = s.Name
		s.Rules = append(s.Rules, rule)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("workflow: rules: %w", err)
	}
	return sets, nil
}

// upsertRuleSet creates or changes a rule set, locks its row until tx ends and returns its id.
func upsertRuleSet(ctx context.Context, tx pgx.Tx, ch RuleSetChange, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO rule_sets (name, mode, position, created_at)
		VALUES ($1, coalesce(nullif($2, ''), 'first'), (SELECT coalesce(max(position), 0) + 1 FROM rule_sets), $3)
		ON CONFLICT (name) DO UPDATE SET mode = coalesce(nullif($2, ''), rule_sets.mode)
		RETURNING id`, ch.Name, string(ch.Mode), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("rule set %q: %w", ch.Name, err)
	}
	if ch.Position == 0 {
		return id, nil
	}
	// Renumber the sets 1..n with this one at its new place, holding every set's row (FOR
	// UPDATE, as Delete does, so that no rule joins a set while the sets move).
	rows, err := tx.Query(ctx, `SELECT id FROM rule_sets ORDER BY position, id FOR UPDATE`)
	if err != nil {
		return 0, fmt.Errorf("rule sets: %w", err)
	}
	order, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("rule sets: %w", err)
	}
	order = slices.DeleteFunc(order, func(v int64) bool { return v == id })
	order = slices.Insert(order, min(ch.Position, len(order)+1)-1, id)
	if _, err := tx.Exec(ctx, `UPDATE rule_sets s SET position = o.n
		FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, n) WHERE s.id = o.id`, order); err != nil {
		return 0, fmt.Errorf("rule sets: %w", err)
	}
	return id, nil
}

// ruleFieldCols are the columns of a rule's conditions and actions, in the order of
// NewRule.fieldValues.
const ruleFieldCols = `inbox_ids, channels, keywords, contact_tags, tiers, priorities, set_team_id, set_priority,
	set_category, set_tags, company_ids, attributes, set_category_id`

// fieldValues are the stored values of the rule's conditions and actions (ruleFieldCols).
func (nr NewRule) fieldValues() ([]any, error) {
	attrs, err := json.Marshal(orNone(nr.Attributes))
	if err != nil {
		return nil, fmt.Errorf("attribute conditions: %w", err)
	}
	return []any{orNone(nr.InboxIDs), orNone(nr.Channels), orNone(nr.Keywords), orNone(nr.ContactTags), orNone(nr.Tiers),
		orNone(nr.Priorities), nonZeroID(nr.SetTeamID), nr.SetPriority, nr.SetCategory, orNone(nr.SetTags),
		orNone(nr.CompanyIDs), attrs, nonZeroID(nr.SetCategoryID)}, nil
}

// saved reads the rule a statement stored (row returns ruleCols) and records the change (action
// "created", "updated") in the audit log.
func (r *Rules) saved(ctx context.Context, tx pgx.Tx, row pgx.Row, nr NewRule, action string) (Rule, error) {
	out, err := scanRule(row)
	if fkViolation(err) {
		return out, ruleInvalid("set_team_id", "no team %d", nr.SetTeamID)
	}
	if err != nil {
		return out, err
	}
	return out, audit(ctx, tx, r.store, r.by, inbox.AuditRuleChanged, inbox.AuditTarget("rule", out.ID),
		map[string]any{"action": action, "name": out.Name, "rule_set": nr.RuleSet, "position": out.Position})
}

// ruleCols are a rule's columns, for SELECT and RETURNING alike. The category a rule sets is
// shown by its path as it is now (an admin may have renamed it or its parent since).
const ruleCols = `id, name, position, inbox_ids, channels, keywords, contact_tags, tiers, priorities,
	coalesce(set_team_id, 0), set_priority,
	coalesce((SELECT CASE WHEN p.id IS NULL THEN k.name ELSE p.name || ' › ' || k.name END
		FROM categories k LEFT JOIN categories p ON p.id = k.parent_id WHERE k.id = set_category_id), set_category),
	set_tags, created_at, company_ids, attributes, coalesce(set_category_id, 0)`

func ruleDest(r *Rule) []any {
	return []any{&r.ID, &r.Name, &r.Position, &r.InboxIDs, &r.Channels, &r.Keywords, &r.ContactTags, &r.Tiers,
		&r.Priorities, &r.SetTeamID, &r.SetPriority, &r.SetCategory, &r.SetTags, &r.CreatedAt, &r.CompanyIDs, &r.Attributes,
		&r.SetCategoryID}
}

func scanRule(row pgx.Row) (Rule, error) {
	var r Rule
	err := row.Scan(ruleDest(&r)...)
	return r, err
}

func fkViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23503"
}

// orNone stores a nil list as an empty array, as the NOT NULL columns want.
func orNone[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func nonZeroID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// ruleInvalid is a *inbox.ValidationError about a rule's field.
func ruleInvalid(field, format string, args ...any) error {
	return &inbox.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
