package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RepeatWindow is how long after a resolution a customer's return counts against it: a reopening
// within it means the conversation was not resolved at first contact, and a new conversation of
// the same customer within it is a repeat contact.
const RepeatWindow = 7 * 24 * time.Hour

// FirstContact is first-contact resolution: of the Resolved conversations (resolved now), Single
// were resolved with one agent reply and not reopened within RepeatWindow of their first
// resolution.
type FirstContact struct {
	Resolved int64
	Single   int64
}

// Repeat is repeat contact: of the Resolved conversations, Returned had their customer back
// within RepeatWindow of a resolution: another conversation of theirs, or a message of theirs
// that reopened this one.
type Repeat struct {
	Resolved int64
	Returned int64
}

// DayOpen is the number of conversations open (new, open or pending) at the end of one UTC day;
// for today, now.
type DayOpen struct {
	Day  time.Time
	Open int64
}

// returns computes first-contact resolution and repeat contact over the period's resolved
// conversations: live, their replies and status events through their conversation's indexes and
// the customer's next conversation through conversations_contact_idx; from the rollups, the counts
// the same conditions gave when the day was built (singleSQL, returnedSQL).
func (sc Scope) returns(ctx context.Context, db reportDB, p reportPlan, f ReportFilter) (FirstContact, Repeat, error) {
	var a ReportArgs
	var fc FirstContact
	var rp Repeat
	window := "(" + a.Arg(int64(RepeatWindow/time.Second)) + "::bigint * interval '1 second')"
	err := db.QueryRow(ctx, `WITH res AS MATERIALIZED (
			SELECT c.id, c.contact_id, c.resolved_at FROM conversations c
			WHERE `+f.live(p).Where(sc.v, "c", &a)+` AND c.resolved_at IS NOT NULL),
		rolled AS (
			SELECT coalesce(sum(r.resolved), 0) AS resolved, coalesce(sum(r.single), 0) AS single,
				coalesce(sum(r.returned), 0) AS returned
			FROM report_days r WHERE `+p.rollupWhere(f, sc.v, false, &a)+`)
		SELECT (SELECT count(*) FROM res) + rolled.resolved,
			(SELECT count(*) FROM res WHERE `+singleSQL("res", window)+`) + rolled.single,
			(SELECT count(*) FROM res WHERE `+returnedSQL("res", window)+`) + rolled.returned
		FROM rolled`, a.List...).Scan(&fc.Resolved, &fc.Single, &rp.Returned)
	if err != nil {
		return fc, rp, fmt.Errorf("inbox: report: first contact: %w", err)
	}
	rp.Resolved = fc.Resolved
	return fc, rp, nil
}

// backlog is the open count at the end of each UTC day of the period up to today (for today,
// now): a day ended with the conversations created by then less those resolved or closed by
// then (a conversation reopened and resolved again counts as done at its last resolution; one
// done without an instant, at its creation). Each day's created and done counts come from the
// rollups of the days they hold (created, done) and, for the other days (today, days not built
// or changed since), live through conversations_created_idx and conversations_done_idx.
func (sc Scope) backlog(ctx context.Context, db reportDB, f ReportFilter) ([]DayOpen, error) {
	first, last := dayNumber(f.From), dayNumber(f.To.Add(-time.Nanosecond))
	today := dayNumber(sc.s.now())
	if last > today {
		last = today
	}
	if last < first {
		return nil, nil
	}
	p, err := sc.plan(ctx, db, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	var a ReportArgs
	done := "coalesce(c.resolved_at, c.closed_at)"
	rows, err := db.Query(ctx, `SELECT day, sum(n)::bigint FROM (
			SELECT floor(extract(epoch FROM c.created_at) / 86400)::bigint AS day, count(*) AS n FROM conversations c
			WHERE `+p.liveCreated("c", f, sc.v, &a)+` AND `+f.Narrow(sc.v, "c", &a)+` GROUP BY 1
			UNION ALL
			SELECT floor(extract(epoch FROM `+done+`) / 86400)::bigint, -count(*) FROM conversations c
			WHERE c.status IN ('resolved', 'closed')
				AND `+p.liveIDs("c", "x.status IN ('resolved', 'closed')", "coalesce(x.resolved_at, x.closed_at)", &a)+`
				AND `+f.Narrow(sc.v, "c", &a)+` GROUP BY 1
			UNION ALL
			SELECT floor(extract(epoch FROM c.created_at) / 86400)::bigint, -count(*) FROM conversations c
			WHERE c.status IN ('resolved', 'closed') AND c.resolved_at IS NULL AND c.closed_at IS NULL
				AND `+p.liveCreated("c", f, sc.v, &a)+` AND `+f.Narrow(sc.v, "c", &a)+` GROUP BY 1
			UNION ALL
			SELECT r.day, sum(r.created - r.done) FROM report_days r WHERE `+p.rollupWhere(f, sc.v, false, &a)+` GROUP BY 1) x
		GROUP BY 1`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: backlog: %w", err)
	}
	// net[d] is the change of the open count over day d; what lies after today counts today.
	net := map[int64]int64{}
	var before int64 // the open count at the end of the day before first
	var day, n int64
	if _, err := pgx.ForEachRow(rows, []any{&day, &n}, func() error {
		switch {
		case day < first:
			before += n
		case day > today:
			net[today] += n
		default:
			net[day] += n
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("inbox: report: backlog: %w", err)
	}
	out := make([]DayOpen, 0, last-first+1)
	open := before
	for d := first; d <= last; d++ {
		open += net[d]
		out = append(out, DayOpen{Day: dayStart(d), Open: open})
	}
	return out, nil
}

// dayStart is the UTC midnight that begins day number d.
func dayStart(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// dayNumber is the number of whole UTC days from the Unix epoch to t.
func dayNumber(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 86399) / 86400
	}
	return s / 86400
}
