package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DeleteAttributeDefTx deletes the definition of attribute key of object (AttrContact or
// AttrCompany) in the caller's transaction, and the values contacts or companies hold for it,
// returning the definition and how many values went. The caller refuses first when a routing
// rule tests it (workflow.AttributeRulesTx). An unknown definition is ErrNotFound.
func (s *Store) DeleteAttributeDefTx(ctx context.Context, tx pgx.Tx, object, key string) (AttributeDef, int64, error) {
	d := AttributeDef{Object: object, Key: key}
	err := tx.QueryRow(ctx, `DELETE FROM attribute_definitions WHERE object = $1 AND key = $2 RETURNING id, label, type`,
		object, key).Scan(&d.ID, &d.Label, &d.Type)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, 0, fmt.Errorf("inbox: attribute %s of %s: %w", key, object, ErrNotFound)
	}
	if err != nil {
		return d, 0, fmt.Errorf("inbox: delete attribute %s: %w", key, err)
	}
	table := "contacts"
	if object == AttrCompany {
		table = "companies"
	}
	tag, err := tx.Exec(ctx, `UPDATE `+table+` SET attributes = attributes - $1::text WHERE attributes ? $1::text`, key)
	if err != nil {
		return d, 0, fmt.Errorf("inbox: delete attribute %s: values: %w", key, err)
	}
	return d, tag.RowsAffected(), nil
}
