package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/migrations"
)

// TestDemoBulkSeedAnalyzesWhatItWrote seeds a few conversations: the planner's statistics of
// the seeded tables count them at once, without waiting for autovacuum (5 rows would never
// reach its threshold).
func TestDemoBulkSeedAnalyzesWhatItWrote(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn"}
	if out, err := parley(t, env, "", "demo", "--conversations", "7"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for table, want := range map[string]float64{"conversations": 7 + 3, "messages": 5*7 + 4} { // the demo's own too
		var tuples float64
		if err := conn.QueryRow(context.Background(), `SELECT reltuples FROM pg_class WHERE relname = $1`, table).Scan(&tuples); err != nil {
			t.Fatal(err)
		}
		if tuples < want {
			t.Errorf("the planner thinks %s has %v rows, want at least %v: not analyzed", table, tuples, want)
		}
	}
}

// TestServeWarnsWhenAutovacuumIsOff checks autovacuum as parley serve does at start: on a server
// that runs without it, a warning that says so; on one that runs it, silence, then a warning
// naming the table once it is turned off for one.
func TestServeWarnsWhenAutovacuumIsOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var stderr bytes.Buffer
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn"}
	a, err := open(ctx, &cli{getenv: func(k string) string { return env[k] }, stdout: &bytes.Buffer{}, stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if _, err := migrations.Apply(ctx, a.pool); err != nil {
		t.Fatal(err)
	}
	var on string
	if err := a.pool.QueryRow(ctx, "SHOW autovacuum").Scan(&on); err != nil {
		t.Fatal(err)
	}
	a.warnAutovacuum(ctx)
	if on != "on" {
		if got := stderr.String(); !strings.Contains(got, "autovacuum is off on this PostgreSQL server") {
			t.Fatalf("autovacuum is %q on this server, and no warning says so: %q", on, got)
		}
		return
	}
	if strings.Contains(stderr.String(), "autovacuum") {
		t.Fatalf("a warning while autovacuum runs: %s", stderr.String())
	}
	if _, err := a.pool.Exec(ctx, `ALTER TABLE conversations SET (autovacuum_enabled = false)`); err != nil {
		t.Fatal(err)
	}
	a.warnAutovacuum(ctx)
	if got := stderr.String(); !strings.Contains(got, "autovacuum is off for some tables") || !strings.Contains(got, "conversations") {
		t.Fatalf("no warning naming the table: %q", got)
	}
}
