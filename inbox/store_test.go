package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/workflow"
)

// env is one test's database with a store that enqueues real River jobs.
type env struct {
	pool  *pgxpool.Pool
	store *inbox.Store
	now   time.Time
}

func setup(t *testing.T) *env {
	t.Helper()
	pool := dbtest.Pool(t)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pool: pool, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	e.store = inbox.New(pool, inbox.Options{Jobs: jobs, Clock: func() time.Time { return e.now }, SecretKey: "test-key"})
	return e
}

func (e *env) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

func (e *env) ingest(t *testing.T, in inbox.Inbound) inbox.IngestResult {
	t.Helper()
	res, err := e.store.Ingest(context.Background(), in)
	if err != nil {
		t.Fatalf("ingest %s: %v", in.ExternalID, err)
	}
	return res
}

func emailFrom(addr string) inbox.Identity {
	return inbox.Identity{Kind: inbox.IdentityEmail, Address: addr, Verified: true}
}

func phoneFrom(n string) inbox.Identity {
	return inbox.Identity{Kind: inbox.IdentityPhone, Address: n, Verified: true}
}

func mustAgent(t *testing.T, e *env, email string) inbox.Agent {
	t.Helper()
	a, err := e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: email, Name: email, Password: "password123"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
