package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// agentLoadFoldBatch is how many agents one transaction of FoldAgentLoads folds, so that it
// never holds many agents locked at once.
const agentLoadFoldBatch = 100

// FoldAgentLoads folds the news of agents' loads (agent_load_news, migration 283) into their
// open_load, a batch of agents at a time, and returns how many agents it folded. An assignment
// pass folds the agents it locks as it reads them; this folds everyone else's (agents away,
// without capacity or in no team, whose news a pass never reads), so that no agent's news grows
// without end. It skips an agent whose row another transaction holds, so it never waits: a
// pass holding one folds them itself, and anyone else's are folded at the next run. A fold
// keeps open_load plus the news equal to the count, so a retried job is harmless.
func (s *Store) FoldAgentLoads(ctx context.Context) (int, error) {
	n, err := s.inBatches(ctx, agentLoadFoldBatch, func(tx pgx.Tx, after int64) (n int, last int64, err error) {
		err = tx.QueryRow(ctx, `WITH locked AS (SELECT a.id FROM agents a
				WHERE a.id > $1 AND a.id IN (SELECT agent_id FROM agent_load_news)
				ORDER BY a.id LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED),
			`+foldLoadsSQL("agent_id IN (SELECT id FROM locked)")+`
			SELECT count(*), coalesce(max(id), 0) FROM locked`, after, agentLoadFoldBatch).Scan(&n, &last)
		return n, last, err
	})
	if err != nil {
		return n, fmt.Errorf("inbox: fold agent loads: %w", err)
	}
	return n, nil
}

// foldLoadsSQL is the CTEs that fold the news of the agents whom agents (a condition on
// agent_id) names into their open_load: d takes the news, s sums it by agent, and u adds it,
// returning each folded agent's id and new load. Its caller must hold the agents' rows.
func foldLoadsSQL(agents string) string {
	return `d AS (DELETE FROM agent_load_news WHERE ` + agents + ` RETURNING agent_id, delta),
			s AS (SELECT agent_id, sum(delta)::integer AS n FROM d GROUP BY agent_id),
			u AS (UPDATE agents a SET open_load = a.open_load + s.n FROM s WHERE a.id = s.agent_id RETURNING a.id, a.open_load)`
}

// inBatches runs batch, each run in a transaction of its own, until a run does fewer than size
// rows, and returns how many rows the runs did in all. A run starts from the cursor after: 0 for
// the first, then the last the run before returned once it committed (a run retried after a
// deadlock starts again from the same cursor).
func (s *Store) inBatches(ctx context.Context, size int, batch func(tx pgx.Tx, after int64) (n int, last int64, err error)) (int, error) {
	total := 0
	var after int64
	for {
		var n int
		var last int64
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			n, last, err = batch(tx, after)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < size {
			return total, nil
		}
		after = last
	}
}
