package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// contactReachFoldBatch bounds how many contact_reach_news rows one fold takes, so a backlog
// never holds many contacts locked at once.
const contactReachFoldBatch = 1000

// FoldContactReach moves what conversations could not write onto their contacts at once (the
// rows of contact_reach_news, migration 174: the contact was held by another transaction) onto
// the contacts' reach and seen_at, a batch at a time, and returns how many rows it folded. It
// locks the contacts in id order, as the lock order wants, and nothing else; a row folded
// twice changes nothing, so a retried job is harmless.
func (s *Store) FoldContactReach(ctx context.Context) (int, error) {
	n, err := s.inBatches(ctx, contactReachFoldBatch, func(tx pgx.Tx, _ int64) (n int, _ int64, err error) {
		err = tx.QueryRow(ctx, `WITH taken AS (
				DELETE FROM contact_reach_news WHERE id IN (SELECT id FROM contact_reach_news ORDER BY id LIMIT $1)
				RETURNING contact_id, keys, seen_at),
			locked AS (SELECT k.id FROM contacts k WHERE k.id IN (SELECT contact_id FROM taken) ORDER BY k.id FOR NO KEY UPDATE),
			news AS (SELECT t.contact_id, array_agg(DISTINCT x) AS keys, max(t.seen_at) AS seen_at
				FROM taken t CROSS JOIN LATERAL unnest(t.keys) x GROUP BY t.contact_id),
			folded AS (UPDATE contacts k SET reach = array(SELECT DISTINCT x FROM unnest(k.reach || n.keys) x ORDER BY x),
					seen_at = greatest(k.seen_at, n.seen_at)
				FROM news n WHERE k.id = n.contact_id AND k.id IN (SELECT id FROM locked))
			SELECT count(*) FROM taken`, contactReachFoldBatch).Scan(&n)
		return n, 0, err
	})
	if err != nil {
		return n, fmt.Errorf("inbox: fold contact reach: %w", err)
	}
	return n, nil
}
