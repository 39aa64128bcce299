package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Report is what a supervisor reads about the conversations created in a period [From, To)
// that a viewer may see and a ReportFilter selects.
type Report struct {
	From, To   time.Time
	Channels   []Count // conversations by channel, most first
	Categories []Count // conversations by category ("" is uncategorized), most first
	Daily      []DayCount
	// FirstResponse is the time from creation to the first human reply; Resolution the time
	// from creation to resolution, of the conversations that have one (wall-clock).
	FirstResponse Spread
	Resolution    Spread
	// FirstContact counts the resolved conversations resolved at first contact (FCR).
	FirstContact FirstContact
	// Repeat counts the resolved conversations whose customer came back within RepeatWindow.
	Repeat Repeat
	// Backlog is the number of conversations open at the end of each UTC day of the period.
	Backlog []DayOpen
	Agents  []AgentStats
}

// Count is a number of conversations under a label.
type Count struct {
	Label string
	N     int64
}

// DayCount is the number of conversations created on one UTC day, by channel.
type DayCount struct {
	Day       time.Time
	ByChannel map[Channel]int64
	Total     int64
}

// Spread summarizes durations: how many, the median and the 90th percentile.
type Spread struct {
	N      int64
	Median time.Duration
	P90    time.Duration
}

// AgentStats is one agent's work on the period's conversations. Each figure credits the agent who
// did the work, whoever the conversation is assigned to: Resolved, Resolution and Handle count
// the conversations they resolved, FirstResponse those whose first reply was theirs.
type AgentStats struct {
	AgentID       int64
	Name          string
	Assigned      int64 // assigned to them now
	Resolved      int64
	Replies       int64
	FirstResponse Spread
	Resolution    Spread
	// Handle is the time from the conversation's last assignment to them (its creation when it
	// never was) to their resolution.
	Handle Spread
}

// Report computes the period's figures of the conversations the scope's viewer may see and f
// selects: the whole past days whose daily rollups are current from report_days (see
// BuildReportDays), the rest (today, a partial first day, days changed since their rollup was
// built) from the conversations, messages and audit trail through conversations_created_idx, all
// in one repeatable-read snapshot. Counts are exact; medians and 90th percentiles are exact over
// what is read live and within 2.2% (1 s below a minute) where rollups take part (report_bucket).
// A period that does not run forwards is a *ValidationError.
func (sc Scope) Report(ctx context.Context, f ReportFilter) (Report, error) {
	if err := f.Validate(); err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	var r Report
	err := sc.s.readReport(ctx, func(db reportDB) error {
		p, err := sc.plan(ctx, db, f.From, f.To)
		if err != nil {
			return err
		}
		if r, err = sc.volumes(ctx, db, p, f); err != nil {
			return err
		}
		if r.Categories, err = sc.counts(ctx, db, p, "category", f); err != nil {
			return err
		}
		if r.Daily, err = sc.daily(ctx, db, p, f); err != nil {
			return err
		}
		if r.FirstContact, r.Repeat, err = sc.returns(ctx, db, p, f); err != nil {
			return err
		}
		if r.Backlog, err = sc.backlog(ctx, db, f); err != nil {
			return err
		}
		r.Agents, err = sc.agentStats(ctx, db, p, f)
		return err
	})
	return r, err
}

// readReport runs fn in a read-only repeatable-read transaction: the plan and every query of a
// report see one snapshot, so a rollup rebuilt meanwhile is counted once.
func (s *Store) readReport(ctx context.Context, fn func(db reportDB) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(tx) })
}

// Volumes is the part of Report that the weekly summary reads: Channels, FirstResponse and
// Resolution, the rest left empty. A period that does not run forwards is a *ValidationError.
func (sc Scope) Volumes(ctx context.Context, f ReportFilter) (Report, error) {
	if err := f.Validate(); err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	var r Report
	err := sc.s.readReport(ctx, func(db reportDB) error {
		p, err := sc.plan(ctx, db, f.From, f.To)
		if err != nil {
			return err
		}
		r, err = sc.volumes(ctx, db, p, f)
		return err
	})
	return r, err
}

func (sc Scope) volumes(ctx context.Context, db reportDB, p reportPlan, f ReportFilter) (Report, error) {
	r := Report{From: f.From, To: f.To}
	var err error
	if r.Channels, err = sc.counts(ctx, db, p, "channel", f); err != nil {
		return r, err
	}
	for _, m := range []struct {
		name, end, hist string
		into            *Spread
	}{{"first response", "first_response_at", "fr", &r.FirstResponse}, {"resolution", "resolved_at", "res", &r.Resolution}} {
		var d dist
		var a ReportArgs
		if err := db.QueryRow(ctx, `SELECT coalesce(array_agg(extract(epoch FROM c.`+m.end+` - c.created_at)::float8), '{}')
			FROM conversations c WHERE `+f.live(p).Where(sc.v, "c", &a)+` AND c.`+m.end+` IS NOT NULL`, a.List...).
			Scan(&d.values); err != nil {
			return r, fmt.Errorf("inbox: report: %s: %w", m.name, err)
		}
		if p.rolled() {
			var b ReportArgs
			rows, err := db.Query(ctx, `SELECT u.b, sum(u.c)::bigint FROM report_days r, unnest(r.`+m.hist+`_b, r.`+m.hist+`_c) AS u(b, c)
				WHERE `+p.histWhere(f, sc.v, false, &b)+` GROUP BY 1`, b.List...)
			if err != nil {
				return r, fmt.Errorf("inbox: report: %s: %w", m.name, err)
			}
			var bucket int16
			var n int64
			if _, err := pgx.ForEachRow(rows, []any{&bucket, &n}, func() error { d.add(bucket, n); return nil }); err != nil {
				return r, fmt.Errorf("inbox: report: %s: %w", m.name, err)
			}
		}
		*m.into = d.spread()
	}
	return r, nil
}

// SpreadDest scans (count, median seconds, p90 seconds) into a Spread, for the reports of other
// packages that aggregate durations the same way.
func SpreadDest(sp *Spread) []any { return spreadDest(sp) }

// spreadDest scans (count, median seconds, p90 seconds) into a Spread.
func spreadDest(sp *Spread) []any {
	return []any{&sp.N, secondsInto(&sp.Median), secondsInto(&sp.P90)}
}

// secondsScanner scans a number of seconds into a Duration.
type secondsScanner struct{ d *time.Duration }

func secondsInto(d *time.Duration) *secondsScanner { return &secondsScanner{d} }

// Scan implements sql.Scanner.
func (s *secondsScanner) Scan(v any) error {
	switch x := v.(type) {
	case float64:
		*s.d = time.Duration(x * float64(time.Second)).Round(time.Second)
	case nil:
		*s.d = 0
	default:
		return fmt.Errorf("inbox: seconds: unexpected %T", v)
	}
	return nil
}

// counts is the number of the period's conversations by a column of theirs (channel or
// category), most first, from the live conversations and the rollups' created counts.
func (sc Scope) counts(ctx context.Context, db reportDB, p reportPlan, column string, f ReportFilter) ([]Count, error) {
	var a ReportArgs
	rows, err := db.Query(ctx, `SELECT label, sum(n)::bigint FROM (
			SELECT c.`+column+` AS label, count(*) AS n FROM conversations c WHERE `+f.live(p).Where(sc.v, "c", &a)+` GROUP BY 1
			UNION ALL
			SELECT r.`+column+`, sum(r.created) FROM report_days r WHERE `+p.rollupWhere(f, sc.v, false, &a)+` GROUP BY 1) x
		GROUP BY 1 HAVING sum(n) > 0 ORDER BY 2 DESC, 1`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: %s: %w", column, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		err := r.Scan(&c.Label, &c.N)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: report: %s: %w", column, err)
	}
	return out, nil
}

// daily counts the period's conversations by UTC day and channel, live through
// conversations_created_idx and from the rollups; days without any are filled in here.
func (sc Scope) daily(ctx context.Context, db reportDB, p reportPlan, f ReportFilter) ([]DayCount, error) {
	var a ReportArgs
	rows, err := db.Query(ctx, `SELECT day, channel, sum(n)::bigint FROM (
			SELECT floor(extract(epoch FROM c.created_at) / 86400)::bigint AS day, c.channel, count(*) AS n
			FROM conversations c WHERE `+f.live(p).Where(sc.v, "c", &a)+` GROUP BY 1, 2
			UNION ALL
			SELECT r.day::bigint, r.channel, sum(r.created) FROM report_days r WHERE `+p.rollupWhere(f, sc.v, false, &a)+`
			GROUP BY 1, 2) x
		GROUP BY 1, 2 HAVING sum(n) > 0`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: daily: %w", err)
	}
	first, last := dayNumber(f.From), dayNumber(f.To.Add(-time.Nanosecond))
	out := make([]DayCount, last-first+1)
	for i := range out {
		out[i] = DayCount{Day: dayStart(first + int64(i)), ByChannel: map[Channel]int64{}}
	}
	var day, n int64
	var ch Channel
	_, err = pgx.ForEachRow(rows, []any{&day, &ch, &n}, func() error {
		if day < first || day > last {
			return nil
		}
		d := &out[day-first]
		d.ByChannel[ch] += n
		d.Total += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: report: daily: %w", err)
	}
	return out, nil
}
