package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// engine is what the SLA, escalation, auto-close and survey workers share: the store (and its
// clock, which every time decision reads), an insert-only River client for the jobs that jobs
// cause, the alerter and the public URL survey links point to.
type engine struct {
	store     *inbox.Store
	jobs      *river.Client[pgx.Tx]
	alerter   Alerter
	publicURL string
	log       *slog.Logger
	meter     Meter
}

// newEngine builds the workers' shared parts from cfg.
func newEngine(cfg Config) (*engine, error) {
	jobs, err := newInserter(cfg.Pool)
	if err != nil {
		return nil, fmt.Errorf("workflow: engine: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	meter := cfg.Meter
	if meter == nil {
		meter = noMeter{}
	}
	return &engine{store: cfg.Store, jobs: jobs, alerter: cfg.Alerter, publicURL: cfg.PublicURL, log: log, meter: meter}, nil
}

// now is the store's clock reading.
func (e *engine) now() time.Time { return e.store.Now() }

// insert adds jobs on tx.
func (e *engine) insert(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if _, err := e.jobs.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("workflow: insert jobs: %w", err)
	}
	return nil
}

// lockClocksSQL serializes the SLA work on one conversation (refreshes, deadlines,
// escalations) until the transaction ends, without locking the conversation row agents write to.
const lockClocksSQL = "SELECT pg_advisory_xact_lock(hashtextextended('sla:' || $1::bigint, 0))"

// scheduled returns insert options that run a job at at (at once when at has passed).
func scheduled(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: at}
}
