// Package migrations holds Parley's schema as numbered SQL files, embedded in the binary, and
// applies them: River's own tables first (through rivermigrate), then ours, each file once, in
// name order, under an advisory lock so that several parley processes starting together migrate
// exactly once. A database records the names it has applied in parley_migrations; Apply runs
// every embedded file not recorded there, in name order.
//
// The rule for a new file: its name takes a number above the highest released one (see
// Released), whatever area it belongs to. The early files were numbered by area (060 to 063
// shipped before 010, 020 and 050), so a file numbered into a gap, say 012_x.sql, would run
// between 011 and 020 on a fresh database but after 063 on one already migrated: two orders,
// two schemas. Released files are never renamed, removed or edited; a change to the schema is
// a new file. When a file ships, its name is added at the end of Released. The package's test
// fails on a file that does not sort after every released one and on a released file that is
// missing.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// lockKey is the advisory lock that serializes concurrent migrators.
const lockKey = 0x70617231 // "par1"

// Apply brings the database up to date: River's migrations, then every embedded .sql file not
// yet recorded in parley_migrations. It returns the names of the files it applied.
func Apply(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: acquire: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return nil, fmt.Errorf("migrations: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck // released with the session anyway

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return nil, fmt.Errorf("migrations: river: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrations: river: %w", err)
	}
	return applyOwn(ctx, conn.Conn())
}

// Names lists the embedded migration files in the order they apply.
func Names() ([]string, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: list: %w", err)
	}
	sort.Strings(names)
	return names, nil
}

func applyOwn(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS parley_migrations (
		name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrations: bookkeeping table: %w", err)
	}
	names, err := Names()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		var done bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM parley_migrations WHERE name = $1)", name).Scan(&done); err != nil {
			return applied, fmt.Errorf("migrations: check %s: %w", name, err)
		}
		if done {
			continue
		}
		sql, err := files.ReadFile(name)
		if err != nil {
			return applied, fmt.Errorf("migrations: read %s: %w", name, err)
		}
		if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO parley_migrations (name) VALUES ($1)", name)
			return err
		}); err != nil {
			return applied, fmt.Errorf("migrations: apply %s: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}

// Read returns the contents of one embedded migration file.
func Read(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("migrations: read %s: %w", name, err)
	}
	return b, nil
}
