package inbox_test

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// env is one test's database with a store that enqueues real River jobs.
type env struct {
	pool  *pgxpool.Pool
	store *inbox.Store
	now   time.Time
}

func setup(t *testing.T) *env { return setupB(t) }

func setupB(t testing.TB) *env {
	t.Helper()
	pool := dbtest.Pool(t)
	jobs, err := newTestJobs(pool)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pool: pool, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	committers, _ := strconv.Atoi(os.Getenv("BENCH_COMMITTERS"))
	// A cheap bcrypt cost: under the race detector one hash at the default cost takes over a
	// second (TestPasswordCost covers the default).
	e.store = inbox.New(pool, inbox.Options{Jobs: jobs, Clock: func() time.Time { return e.now }, SecretKey: "test-key",
		Committers: committers, PasswordCost: bcrypt.MinCost})
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
	a, err := e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: email, Name: email, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testJobs stands in for the workflow's enqueuer (the inbox must not depend on it): it inserts
// a real River job, on the change's transaction, for every event it is handed.
type testJobs struct {
	river *river.Client[pgx.Tx]
}

type eventJob struct {
	Type      string `json:"type"`
	MessageID int64  `json:"message_id"`
}

func (eventJob) Kind() string { return "test_event" }

func newTestJobs(pool *pgxpool.Pool) (*testJobs, error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{SkipUnknownJobCheck: true})
	return &testJobs{river: c}, err
}

func (j *testJobs) Enqueue(ctx context.Context, tx pgx.Tx, events []inbox.Event) error {
	params := make([]river.InsertManyParams, len(events))
	for i, e := range events {
		params[i] = river.InsertManyParams{Args: eventJob{Type: e.Type, MessageID: e.MessageID}}
	}
	_, err := j.river.InsertManyTx(ctx, tx, params)
	return err
}

// listen opens a connection of its own that LISTENs for the store's events, closed with the test.
func (e *env) listen(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, e.pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "LISTEN "+inbox.NotifyChannel); err != nil {
		t.Fatal(err)
	}
	return conn
}
