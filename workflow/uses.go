package workflow

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// TeamUses is what of the workflow's still names a team: the routing rules that send to it and
// the SLA policies that cover it or escalate to it, by name.
type TeamUses struct {
	Rules    []string
	Policies []string
}

// TeamUsesTx reads, in tx, the rules and policies that name team id. The caller locks the
// team's row first (inbox.Store.TeamUsesTx) so that none is added before tx ends.
func TeamUsesTx(ctx context.Context, tx pgx.Tx, teamID int64) (TeamUses, error) {
	var u TeamUses
	err := tx.QueryRow(ctx, `SELECT
			ARRAY(SELECT name FROM routing_rules WHERE set_team_id = $1 ORDER BY name),
			ARRAY(SELECT name FROM sla_policies WHERE team_id = $1 OR escalate_team_id = $1 ORDER BY name)`, teamID).
		Scan(&u.Rules, &u.Policies)
	if err != nil {
		return u, fmt.Errorf("workflow: uses of team %d: %w", teamID, err)
	}
	return u, nil
}

// CategoryRulesTx reads, in tx, the names of the routing rules that set category id.
func CategoryRulesTx(ctx context.Context, tx pgx.Tx, categoryID int64) ([]string, error) {
	names, err := ruleNames(ctx, tx, `set_category_id = $1`, categoryID)
	if err != nil {
		return nil, fmt.Errorf("workflow: rules of category %d: %w", categoryID, err)
	}
	return names, nil
}

// AttributeRulesTx names, in tx, the routing rules with a condition on the contact attribute
// key: a definition they test cannot be deleted.
func AttributeRulesTx(ctx context.Context, tx pgx.Tx, key string) ([]string, error) {
	names, err := ruleNames(ctx, tx, `attributes @> jsonb_build_array(jsonb_build_object('key', $1::text))`, key)
	if err != nil {
		return nil, fmt.Errorf("workflow: rules of attribute %s: %w", key, err)
	}
	return names, nil
}

// ruleNames reads the names of the routing rules where cond (on $1, arg) holds, by name.
func ruleNames(ctx context.Context, tx pgx.Tx, cond string, arg any) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT name FROM routing_rules WHERE `+cond+` ORDER BY name`, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
