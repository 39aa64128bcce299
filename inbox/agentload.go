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
	total := 0
	var after int64
	for {
		var n int
		var last int64
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `WITH locked AS (SELECT a.id FROM agents a
					WHERE a.id > $1 AND a.id IN (SELECT agent_id FROM agent_load_news)
					ORDER BY a.id LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED),
				d AS (DELETE FROM agent_load_news WHERE agent_id IN (SELECT id FROM locked) RETURNING agent_id, delta),
				s AS (SELECT agent_id, sum(delta)::integer AS n FROM d GROUP BY agent_id),
				u AS (UPDATE agents a SET open_load = a.open_load + s.n FROM s WHERE a.id = s.agent_id)
				SELECT count(*), coalesce(max(id), 0) FROM locked`, after, agentLoadFoldBatch).Scan(&n, &last)
		})
		if err != nil {
			return total, fmt.Errorf("inbox: fold agent loads: %w", err)
		}
		total += n
		if n < agentLoadFoldBatch {
			return total, nil
		}
		after = last
	}
}
