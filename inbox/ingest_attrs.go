package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// typeAttributes checks in.Attributes against the contact attribute definitions and puts them
// in stored form: each value typed as its definition says, nil for one to remove. An undefined
// key or a bad value is a *ValidationError.
func typeAttributes(ctx context.Context, db querier, in *Inbound) error {
	if len(in.Attributes) == 0 {
		return nil
	}
	defs, err := attributeDefs(ctx, db, AttrContact)
	if err != nil {
		return err
	}
	typed, err := applyAttributes(defs, nil, in.Attributes)
	if err != nil {
		return err
	}
	for k := range in.Attributes {
		if _, ok := typed[k]; !ok {
			typed[k] = nil
		}
	}
	in.Attributes = typed
	return nil
}

// applyAttributes sets the typed in.Attributes on the sender's contact, whose row the ingest
// already holds (locked by the lookup, or created by this transaction), and records the change
// in the audit log when something changed. An erased contact keeps none.
func (s *Store) applyAttributes(ctx context.Context, tx pgx.Tx, contactID int64, in *Inbound, now time.Time) error {
	if len(in.Attributes) == 0 {
		return nil
	}
	put, drop := map[string]any{}, []string{}
	for k, v := range in.Attributes {
		if v == nil {
			drop = append(drop, k)
		} else {
			put[k] = v
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `UPDATE contacts SET attributes = (attributes || $2::jsonb) - $3::text[], updated_at = $4
		WHERE id = $1 AND erased_at IS NULL AND attributes <> (attributes || $2::jsonb) - $3::text[] RETURNING id`,
		contactID, put, drop, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // nothing changed
	}
	if err != nil {
		return fmt.Errorf("inbox: ingest: contact attributes: %w", err)
	}
	return s.recordAudit(ctx, tx, in.AttributesBy.Record(AuditContactChanged, AuditTarget("contact", id),
		map[string]any{"fields": []string{"attributes"}, "with": "message"}))
}
