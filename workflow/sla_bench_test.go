package workflow

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// BenchmarkSLABreachLatency measures how late breaches are recorded under load: 10,000 open
// conversations carry first-response deadlines spread over five minutes, none is answered, and
// a real River client (Parley's workers and settings, the real clock) works the deadline jobs
// (and their warnings 24 s before). It reports the delay from each due instant to its recorded
// breach (breached_at - due_at): p50, p99 and max, in milliseconds. It takes about seven
// minutes; run it alone:
//
//	TEST_DATABASE_URL=... go test -run '^$' -bench SLABreachLatency -benchtime 1x -timeout 30m ./workflow/
func BenchmarkSLABreachLatency(b *testing.B) { benchBreaches(b, 10_000, 5*time.Minute) }

// BenchmarkSLABreachLatencyBurst is the same with the 10,000 deadlines within one minute: 167
// breaches and 167 warnings a second, to find where the workers saturate.
func BenchmarkSLABreachLatencyBurst(b *testing.B) { benchBreaches(b, 10_000, time.Minute) }

func benchBreaches(b *testing.B, n int, spread time.Duration) {
	const (
		target = 2 * time.Minute
		lead   = 40 * time.Second // setup must schedule everything before the first deadline
	)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 40
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	jobs, err := NewEnqueuer(pool)
	if err != nil {
		b.Fatal(err)
	}
	store := inbox.New(pool, inbox.Options{Jobs: jobs})
	if _, err := NewSLA(pool, store).CreatePolicy(ctx, NewPolicy{Name: "bench", FirstResponse: target}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		// n conversations whose deadlines fall in [t0+lead, t0+lead+spread).
		if _, err := pool.Exec(ctx, `WITH k AS (INSERT INTO contacts (name) SELECT 'bench ' || i FROM generate_series(1, $1) i RETURNING id)
			INSERT INTO conversations (contact_id, channel, status, subject, created_at, last_activity_at)
			SELECT id, 'api', 'open', 'bench', $2::timestamptz + (row_number() OVER (ORDER BY id)) * $3::interval,
				$2::timestamptz FROM k`, n, t0.Add(lead-target), fmt.Sprintf("%d microseconds", spread.Microseconds()/int64(n))); err != nil {
			b.Fatal(err)
		}
		if err := scheduleAll(ctx, pool, store); err != nil {
			b.Fatal(err)
		}
		if time.Now().After(t0.Add(lead)) {
			b.Fatalf("setup took %s, past the first deadline", time.Since(t0))
		}
		client, err := NewClient(Config{Pool: pool, Store: store})
		if err != nil {
			b.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			b.Fatal(err)
		}
		waitFor(b, pool, t0.Add(lead+spread+time.Minute), `SELECT count(*) FROM sla_breaches`, n, "breaches recorded")
		if err := client.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		var p50, p99, most float64
		if err := pool.QueryRow(ctx, `SELECT
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM breached_at - due_at)) * 1000,
				percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM breached_at - due_at)) * 1000,
				max(extract(epoch FROM breached_at - due_at)) * 1000
			FROM sla_breaches`).Scan(&p50, &p99, &most); err != nil {
			b.Fatal(err)
		}
		// The deadline jobs' throughput: the breach and warning jobs completed, over the time from
		// the first one's start to the last one's end.
		var done int
		var rate float64
		if err := pool.QueryRow(ctx, `SELECT count(*), count(*) / greatest(extract(epoch FROM max(finalized_at) - min(attempted_at)), 0.001)
			FROM river_job WHERE kind IN ('sla_breach', 'sla_warning') AND state = 'completed'`).Scan(&done, &rate); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(p50, "p50-ms")
		b.ReportMetric(p99, "p99-ms")
		b.ReportMetric(most, "max-ms")
		b.ReportMetric(rate, "deadline-jobs/s")
		b.Logf("%d breaches: deadline to recorded breach p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d deadline jobs at %.0f/s",
			n, p50, p99, most, done, rate)
	}
}

// scheduleAll computes the clocks of every conversation (and so inserts their deadline jobs),
// 100 to a transaction on four connections: the setup, not what is measured.
func scheduleAll(ctx context.Context, pool *pgxpool.Pool, store *inbox.Store) error {
	e, err := newEngine(Config{Pool: pool, Store: store})
	if err != nil {
		return err
	}
	var ids []int64
	rows, err := pool.Query(ctx, `SELECT id FROM conversations ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var g errgroup.Group
	g.SetLimit(4)
	for len(ids) > 0 {
		chunk := ids[:min(100, len(ids))]
		ids = ids[len(chunk):]
		g.Go(func() error {
			return store.InTx(ctx, func(tx pgx.Tx) error {
				for _, id := range chunk {
					if _, err := e.refresh(ctx, tx, id); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	return g.Wait()
}

// waitFor polls a count until it reaches want, failing if the deadline passes first.
func waitFor(b *testing.B, pool *pgxpool.Pool, deadline time.Time, sql string, want int, what string) {
	b.Helper()
	for {
		var got int
		if err := pool.QueryRow(context.Background(), sql).Scan(&got); err != nil {
			b.Fatal(err)
		}
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: %d of %d by the deadline", what, got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
