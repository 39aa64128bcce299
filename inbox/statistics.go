package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// seededTables are the tables SeedBulk writes, the busiest of all, whose autovacuum matters most.
func seededTables() []string {
	return []string{"contacts", "contact_identities", "conversations", "messages"}
}

// AutovacuumOff names where autovacuum does not run for Parley's busiest tables: "server" when
// the server's autovacuum setting is off, else the tables whose autovacuum_enabled storage
// parameter is false; nothing when it runs everywhere. Without it the statistics go stale as
// the tables grow, and the inbox's plans with them.
func (s *Store) AutovacuumOff(ctx context.Context) ([]string, error) {
	var on string
	if err := s.pool.QueryRow(ctx, "SHOW autovacuum").Scan(&on); err != nil {
		return nil, fmt.Errorf("inbox: autovacuum: %w", err)
	}
	if on != "on" {
		return []string{"server"}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_class c
		WHERE c.relname = ANY($1) AND c.relnamespace = current_schema()::regnamespace
			AND 'autovacuum_enabled=false' = ANY(coalesce(c.reloptions, '{}')) ORDER BY c.relname`, seededTables())
	if err != nil {
		return nil, fmt.Errorf("inbox: autovacuum: %w", err)
	}
	off, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("inbox: autovacuum: %w", err)
	}
	return off, nil
}
