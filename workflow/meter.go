package workflow

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Meter counts what the workflow does for the operator's graphs (internal/meter implements it).
type Meter interface {
	// SLA counts one SLA warning or breach, by its event type (EventSLAWarning, EventSLABreach).
	SLA(event string)
}

// noMeter counts nothing: the workflow's Meter when Config has none.
type noMeter struct{}

func (noMeter) SLA(string) {}

// QueueCount is how many jobs of one queue, kind and state are not finished yet.
type QueueCount struct {
	Queue, Kind, State string
	Count              int64
}

// QueueDepth counts River's unfinished jobs (available, scheduled, retryable, running) by queue,
// kind and state: the depth an operator graphs. It reads River's table directly, read-only,
// because River's client offers counts only by state; River's index on (state, queue, priority,
// scheduled_at, id) serves it, and finished jobs are never read.
func QueueDepth(ctx context.Context, pool *pgxpool.Pool) ([]QueueCount, error) {
	rows, err := pool.Query(ctx, `SELECT queue, kind, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY queue, kind, state`)
	if err != nil {
		return nil, fmt.Errorf("workflow: queue depth: %w", err)
	}
	defer rows.Close()
	var out []QueueCount
	for rows.Next() {
		var q QueueCount
		if err := rows.Scan(&q.Queue, &q.Kind, &q.State, &q.Count); err != nil {
			return nil, fmt.Errorf("workflow: queue depth: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("workflow: queue depth: %w", err)
	}
	return out, nil
}
