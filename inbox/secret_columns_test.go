package inbox

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

// TestSealedColumnsAreListed finds every column of the schema named like a sealed one (secrets,
// or ending in _sealed) and requires it in sealedColumns, so that a new one cannot be left out
// of a key rotation.
func TestSealedColumnsAreListed(t *testing.T) {
	pool := dbtest.Pool(t)
	rows, err := pool.Query(context.Background(), `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND (column_name = 'secrets' OR column_name LIKE '%\_sealed') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, c := range sealedColumns() {
		listed = append(listed, c.table+"."+c.column)
	}
	slices.Sort(listed)
	if !slices.Equal(found, listed) {
		t.Fatalf("sealed columns in the schema %v, in sealedColumns %v", found, listed)
	}
}
