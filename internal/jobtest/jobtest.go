// Package jobtest works single River jobs in tests the way River runs them: it hands the very
// worker a server registers (found among workflow.Workers or a channel's Parts.Workers) to
// rivertest, on a transaction that is rolled back, and reports what the worker decided.
package jobtest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/channels"
)

// Worker works jobs of T with one registered worker.
type Worker[T river.JobArgs] struct {
	pool *pgxpool.Pool
	tw   *rivertest.Worker[T, pgx.Tx]

	mu      sync.Mutex
	verdict error
}

// New returns a Worker for the worker of T among workers; the test fails when there is none.
func New[T river.JobArgs](t testing.TB, pool *pgxpool.Pool, workers []channels.Worker) *Worker[T] {
	t.Helper()
	found, ok := channels.Find[T](workers)
	if !ok {
		var args T
		t.Fatalf("jobtest: no worker of %s jobs", args.Kind())
	}
	w := &Worker[T]{pool: pool}
	record := river.WorkerMiddlewareFunc(func(ctx context.Context, _ *rivertype.JobRow, doInner func(context.Context) error) error {
		err := doInner(ctx)
		w.mu.Lock()
		w.verdict = err
		w.mu.Unlock()
		return err
	})
	w.tw = rivertest.NewWorker(t, riverpgxv5.New(pool), &river.Config{Middleware: []rivertype.Middleware{record}}, found)
	return w
}

// WorkJob works the job with id (already in the database, such as one an ingest enqueued) as
// its attempt number attempt, and returns the worker's verdict: nil, a river.JobCancel or
// river.JobSnooze error, or an error River retries. The job row's changes are rolled back, so
// it may be worked again; what the worker writes through its own store commits, as in
// production.
func (w *Worker[T]) WorkJob(t testing.TB, id int64, attempt int) error {
	t.Helper()
	return w.inTx(t, func(ctx context.Context, tx pgx.Tx) (*rivertest.WorkResult, error) {
		return w.tw.WorkJob(ctx, t, tx, &rivertype.JobRow{ID: id, Attempt: attempt - 1})
	})
}

// Work inserts a job of args (with opts when not nil) and works it as its first attempt; it
// returns the worker's verdict as WorkJob does.
func (w *Worker[T]) Work(t testing.TB, args T, opts *river.InsertOpts) error {
	t.Helper()
	return w.inTx(t, func(ctx context.Context, tx pgx.Tx) (*rivertest.WorkResult, error) {
		return w.tw.Work(ctx, t, tx, args, opts)
	})
}

func (w *Worker[T]) inTx(t testing.TB, work func(context.Context, pgx.Tx) (*rivertest.WorkResult, error)) error {
	t.Helper()
	ctx := context.Background()
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		t.Fatalf("jobtest: %v", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	w.mu.Lock()
	w.verdict = nil
	w.mu.Unlock()
	res, err := work(ctx, tx)
	w.mu.Lock()
	verdict := w.verdict
	w.mu.Unlock()
	if err != nil && !errors.Is(err, verdict) {
		t.Fatalf("jobtest: %v", err)
	}
	if res == nil || res.Job == nil {
		t.Fatal("jobtest: the job was not worked")
	}
	return verdict
}

// JobID returns the id of the one job of kind whose args contain where (a JSON containment
// such as {"message_id": 7}); the test fails unless there is exactly one.
func JobID(t testing.TB, pool *pgxpool.Pool, kind string, where map[string]any) int64 {
	t.Helper()
	filter, err := json.Marshal(where)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, err := pool.Query(context.Background(), `SELECT id FROM river_job WHERE kind = $1 AND args @> $2::jsonb`, kind, string(filter))
	if err == nil {
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil || len(ids) != 1 {
		t.Fatalf("jobtest: %s jobs with %s: %v, %v", kind, filter, ids, err)
	}
	return ids[0]
}
