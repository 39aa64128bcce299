package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OpenNow counts the conversations the scope's viewer may see and f narrows to (its period
// aside) that are open now (new, open or pending; snoozed ones are not) and, of them, those
// assigned to nobody. It adds up, as the backlog does, the conversations created less those
// resolved or closed over all time, from the rollups of the days they hold and live for the
// others, and takes away the snoozed ones (conversations_status_idx): a few thousand rows
// rather than every open conversation.
func (sc Scope) OpenNow(ctx context.Context, f ReportFilter) (open, unassigned int64, err error) {
	err = sc.s.readReport(ctx, func(db reportDB) error {
		p, err := sc.plan(ctx, db, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		var a ReportArgs
		narrow := func() string { return f.Narrow(sc.v, "c", &a) }
		rows, err := db.Query(ctx, `SELECT unassigned, sum(n)::bigint FROM (
				SELECT c.assignee_id IS NULL AS unassigned, count(*) AS n FROM conversations c
				WHERE `+p.liveCreated("c", f, sc.v, &a)+` AND `+narrow()+` GROUP BY 1
				UNION ALL
				SELECT c.assignee_id IS NULL, -count(*) FROM conversations c
				WHERE c.status IN ('resolved', 'closed')
					AND `+p.liveIDs("c", "x.status IN ('resolved', 'closed')", "coalesce(x.resolved_at, x.closed_at)", &a)+`
					AND `+narrow()+` GROUP BY 1
				UNION ALL
				SELECT c.assignee_id IS NULL, -count(*) FROM conversations c
				WHERE c.status IN ('resolved', 'closed') AND c.resolved_at IS NULL AND c.closed_at IS NULL
					AND `+p.liveCreated("c", f, sc.v, &a)+` AND `+narrow()+` GROUP BY 1
				UNION ALL
				SELECT c.assignee_id IS NULL, -count(*) FROM conversations c WHERE c.status = 'snoozed' AND `+narrow()+` GROUP BY 1
				UNION ALL
				SELECT r.assignee_id = 0, sum(r.created - r.done) FROM report_days r WHERE `+p.rollupWhere(f, sc.v, false, &a)+`
				GROUP BY 1) x
			GROUP BY 1`, a.List...)
		if err != nil {
			return err
		}
		var none bool
		var n int64
		_, err = pgx.ForEachRow(rows, []any{&none, &n}, func() error {
			open += n
			if none {
				unassigned += n
			}
			return nil
		})
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("inbox: open now: %w", err)
	}
	return open, unassigned, nil
}
