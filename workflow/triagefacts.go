package workflow

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// facts reads in tx, with one query, what the rules look at for each of the conversations ids
// (see routeWorker.facts, which reads one): the conversation, its customer's profile as it is
// now, their company's tier when they have none, and the first message. A conversation whose
// contact was merged into another reads that contact's profile the one-by-one way. A
// conversation that no longer exists is absent from the result.
func (w *triageWorker) facts(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]Facts, error) {
	rows, err := tx.Query(ctx, `SELECT c.id, c.channel, c.subject, c.priority, coalesce(c.inbox_id, 0),
			k.merged_into IS NOT NULL, k.tags, k.attributes, coalesce(k.company_id, 0),
			CASE WHEN k.tier <> '' THEN k.tier ELSE coalesce(co.tier, '') END,
			coalesce((SELECT m.text FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id LIMIT 1), '')
		FROM conversations c JOIN contacts k ON k.id = c.contact_id LEFT JOIN companies co ON co.id = k.company_id
		WHERE c.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("triage facts: %w", err)
	}
	out := make(map[int64]Facts, len(ids))
	var merged []int64
	var (
		id     int64
		f      Facts
		isMrgd bool
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &f.Channel, &f.Subject, &f.Priority, &f.InboxID, &isMrgd,
		&f.ContactTags, &f.Attributes, &f.CompanyID, &f.Tier, &f.Text}, func() error {
		if isMrgd {
			merged = append(merged, id)
			return nil
		}
		out[id] = f
		f = Facts{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("triage facts: %w", err)
	}
	for _, id := range merged {
		mf, err := w.route.facts(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("triage facts of %d: %w", id, err)
		}
		out[id] = mf
	}
	return out, nil
}
