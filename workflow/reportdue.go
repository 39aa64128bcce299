package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/sla"
)

// DueMark is what an inbox row shows of a conversation's SLA: a missed target still unmet,
// or the next due instant of its running clocks.
type DueMark struct {
	Breached bool
	Target   sla.Target
	DueAt    time.Time
}

// DueMarks returns the SLA mark of each of the conversations ids that has running or paused
// clocks with a due instant or an unmet breach; the others are absent. It reads the clocks by
// primary key, one query for a page of ids.
func (s *SLA) DueMarks(ctx context.Context, ids []int64) (map[int64]*DueMark, error) {
	out := map[int64]*DueMark{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, bool_or(breached_at IS NOT NULL),
			(array_agg(target ORDER BY due_at) FILTER (WHERE due_at IS NOT NULL))[1], min(due_at)
		FROM sla_clocks WHERE conversation_id = ANY($1) AND state IN ('running', 'paused')
		GROUP BY conversation_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("workflow: due marks: %w", err)
	}
	var id int64
	var breached bool
	var target *sla.Target
	var due *time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &breached, &target, &due}, func() error {
		if !breached && due == nil {
			return nil
		}
		m := &DueMark{Breached: breached}
		if target != nil && due != nil {
			m.Target, m.DueAt = *target, *due
		}
		out[id] = m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: due marks: %w", err)
	}
	return out, nil
}
