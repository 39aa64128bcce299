package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// RotateReport says what RotateSecrets did.
type RotateReport struct {
	// Resealed counts the credentials sealed anew; Current those already sealed under the
	// current key in the current format, left as they were.
	Resealed int `json:"resealed"`
	Current  int `json:"current"`
}

// RotateSecrets re-seals every stored credential (every column of sealedColumns) under the store's key, PARLEY_SECRET_KEY, in the current format. Each is
// opened with that key or else with oldKey (PARLEY_SECRET_KEY_OLD; empty when there is none,
// which only rewrites values of the first, SHA-256 format). It runs in one transaction: a value
// neither key opens fails the whole run and changes nothing. A value already current is left
// alone, so a second run changes nothing. AuditSecretsRotated records the counts, as actor.
func (s *Store) RotateSecrets(ctx context.Context, oldKey, actor string) (RotateReport, error) {
	var rep RotateReport
	if s.sealer.aead == nil {
		return rep, fmt.Errorf("inbox: rotate secrets: %w", ErrNoSecretKey)
	}
	var old *Sealer
	if oldKey != "" {
		old = NewSealer(oldKey)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		for _, c := range sealedColumns() {
			if err := s.rotateColumnTx(ctx, tx, c, old, &rep); err != nil {
				return err
			}
		}
		return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditSecretsRotated, Actor: actor, Target: "secrets",
			Data: map[string]any{"resealed": rep.Resealed, "current": rep.Current, "old_key": oldKey != ""}})
	})
	if err != nil {
		return RotateReport{}, fmt.Errorf("inbox: rotate secrets: %w", err)
	}
	return rep, nil
}

// sealedColumn is a column of sealed values in a table whose rows a bigint column (key) names.
type sealedColumn struct{ table, column, key string }

// sealedColumns lists every column that holds values sealed with the store's Sealer: a new one
// must be added here, or rotating the key would leave it unreadable (TestSealedColumnsAreListed
// compares this list with the schema's columns named like one).
func sealedColumns() []sealedColumn {
	return []sealedColumn{
		{table: "inboxes", column: "secrets", key: "id"},
		{table: "agent_totp", column: "secret_sealed", key: "agent_id"},
		{table: "webhook_endpoints", column: "secret_sealed", key: "id"},
		{table: "email_oauth_tokens", column: "tokens_sealed", key: "inbox_id"},
	}
}

// rotateColumnTx re-seals the values of one column (see RotateSecrets).
func (s *Store) rotateColumnTx(ctx context.Context, tx pgx.Tx, c sealedColumn, old *Sealer, rep *RotateReport) error {
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %[3]s, %[1]s FROM %[2]s WHERE %[1]s IS NOT NULL ORDER BY %[3]s FOR NO KEY UPDATE`, c.column, c.table, c.key))
	if err != nil {
		return err
	}
	type sealed struct {
		id    int64
		value []byte
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sealed, error) {
		var v sealed
		return v, r.Scan(&v.id, &v.value)
	})
	if err != nil {
		return err
	}
	for _, v := range all {
		plain, current, err := s.sealer.open(v.value)
		if err == nil && current {
			rep.Current++
			continue
		}
		if err != nil && old != nil {
			plain, _, err = old.open(v.value)
		}
		if err != nil {
			return fmt.Errorf("%s %d: neither PARLEY_SECRET_KEY nor PARLEY_SECRET_KEY_OLD opens its %s: %w", c.table, v.id, c.column, err)
		}
		resealed, err := s.sealer.Seal(plain)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET %s = $2 WHERE %s = $1`, c.table, c.column, c.key), v.id, resealed); err != nil {
			return err
		}
		rep.Resealed++
	}
	return nil
}
