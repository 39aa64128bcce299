package inbox_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/workflow"
)

// BenchmarkBulkPriority500 measures one bulk action at its cap: the priority of 500
// conversations changed (alternately high and low, so each one changes), each in its own
// transaction with its audit entry, the River jobs production's Enqueuer inserts for the event,
// and its NOTIFY. It reports conversations changed per second.
// Run: make bench BENCH=BulkPriority500 PKG=./inbox/ BENCHTIME=20x
func BenchmarkBulkPriority500(b *testing.B) {
	ctx := context.Background()
	pool := dbtest.Pool(b)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		b.Fatal(err)
	}
	store := inbox.New(pool, inbox.Options{Jobs: jobs, SecretKey: "bench-key"})
	if err := store.SeedBulk(ctx, inbox.MaxBulk, nil, nil); err != nil {
		b.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT id FROM conversations ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) != inbox.MaxBulk {
		b.Fatalf("%d conversations, %v", len(ids), err)
	}
	sc := store.As(inbox.Everyone())
	b.ResetTimer()
	for i := range b.N {
		p := []inbox.Priority{inbox.PriorityHigh, inbox.PriorityLow}[i%2]
		out, err := sc.Bulk(ctx, ids, inbox.BulkAction{Kind: inbox.BulkPriority, Priority: p}, inbox.Actor{})
		if err != nil || len(out) != len(ids) {
			b.Fatalf("%d outcomes, %v", len(out), err)
		}
	}
	b.ReportMetric(float64(b.N*len(ids))/b.Elapsed().Seconds(), "conversations/s")
}
