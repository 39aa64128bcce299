package inbox

import (
	"context"
	"fmt"
)

// Outcomes counts, of the conversations a report covers, those resolved or closed now, those
// filed under a complaint category, and the complaints resolved or closed.
type Outcomes struct {
	Resolved           int64
	Complaints         int64
	ComplaintsResolved int64
}

// Outcomes computes the Outcomes of the conversations created in f's period that the scope's
// viewer may see and f selects, from the rollups and live as Report does. Whether a category is
// a complaint is read now, so a category marked since counts at once. A period that does not
// run forwards is a *ValidationError.
func (sc Scope) Outcomes(ctx context.Context, f ReportFilter) (Outcomes, error) {
	var o Outcomes
	if err := f.Validate(); err != nil {
		return o, fmt.Errorf("inbox: report: %w", err)
	}
	err := sc.s.readReport(ctx, func(db reportDB) error {
		p, err := sc.plan(ctx, db, f.From, f.To)
		if err != nil {
			return err
		}
		var a ReportArgs
		return db.QueryRow(ctx, `SELECT coalesce(sum(closed), 0)::bigint, coalesce(sum(n) FILTER (WHERE complaint), 0)::bigint,
				coalesce(sum(closed) FILTER (WHERE complaint), 0)::bigint
			FROM (
				SELECT count(*) AS n, count(*) FILTER (WHERE c.status IN ('resolved', 'closed')) AS closed,
					coalesce(k.complaint, false) AS complaint
				FROM conversations c LEFT JOIN categories k ON k.id = c.category_id
				WHERE `+f.live(p).Where(sc.v, "c", &a)+` GROUP BY 3
				UNION ALL
				SELECT sum(r.created), sum(r.closed), coalesce(k.complaint, false)
				FROM report_days r LEFT JOIN categories k ON k.id = r.category_id
				WHERE `+p.rollupWhere(f, sc.v, false, &a)+` GROUP BY 3) x`, a.List...).
			Scan(&o.Resolved, &o.Complaints, &o.ComplaintsResolved)
	})
	if err != nil {
		return o, fmt.Errorf("inbox: report: outcomes: %w", err)
	}
	return o, nil
}
