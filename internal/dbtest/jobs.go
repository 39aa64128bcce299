package dbtest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// JobArgs returns the arguments of the River jobs of kind in pool's database, oldest first,
// decoded as T: for tests that check what a change enqueued, then work the jobs themselves.
func JobArgs[T any](t testing.TB, pool *pgxpool.Pool, kind string) []T {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT args FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatalf("dbtest: jobs %s: %v", kind, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var raw []byte
		var a T
		if err := rows.Scan(&raw); err != nil {
			t.Fatalf("dbtest: jobs %s: %v", kind, err)
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("dbtest: jobs %s: %v", kind, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dbtest: jobs %s: %v", kind, err)
	}
	return out
}
