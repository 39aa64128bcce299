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

// Report computes the period's figures from the conversations and messages tables, of the
// conversations the scope's viewer may see and f selects. Every query but the backlog selects
// conversations by created_at (conversations_created_idx). A period that does not run forwards
// is a *ValidationError.
func (sc Scope) Report(ctx context.Context, f ReportFilter) (Report, error) {
	r, err := sc.Volumes(ctx, f)
	if err != nil {
		return r, err
	}
	if r.Categories, err = sc.counts(ctx, "category", f); err != nil {
		return r, err
	}
	if r.Daily, err = sc.daily(ctx, f); err != nil {
		return r, err
	}
	if r.FirstContact, r.Repeat, err = sc.returns(ctx, f); err != nil {
		return r, err
	}
	if r.Backlog, err = sc.backlog(ctx, f); err != nil {
		return r, err
	}
	if r.Agents, err = sc.agentStats(ctx, f); err != nil {
		return r, err
	}
	return r, nil
}

// Volumes is the part of Report that the weekly summary reads: Channels, FirstResponse and
// Resolution, the rest left empty. A period that does not run forwards is a *ValidationError.
func (sc Scope) Volumes(ctx context.Context, f ReportFilter) (Report, error) {
	if err := f.Validate(); err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	r := Report{From: f.From, To: f.To}
	var err error
	if r.Channels, err = sc.counts(ctx, "channel", f); err != nil {
		return r, err
	}
	for _, m := range []struct {
		name, end string
		into      *Spread
	}{{"first response", "first_response_at", &r.FirstResponse}, {"resolution", "resolved_at", &r.Resolution}} {
		var a ReportArgs
		if err := sc.s.pool.QueryRow(ctx, `SELECT `+spreadSQL("c."+m.end+" - c.created_at", "t")+`
			FROM conversations c WHERE `+f.Where(sc.v, "c", &a)+` AND c.`+m.end+` IS NOT NULL`, a.List...).
			Scan(spreadDest(m.into)...); err != nil {
			return r, fmt.Errorf("inbox: report: %s: %w", m.name, err)
		}
	}
	return r, nil
}

// spreadSQL is the count, median and 90th percentile in seconds of the interval expression, as
// the columns name_n, name_median and name_p90.
func spreadSQL(interval, name string) string {
	return `count(*) AS ` + name + `_n, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ` + interval + `)) AS ` +
		name + `_median, percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ` + interval + `)) AS ` + name + `_p90`
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

func (sc Scope) counts(ctx context.Context, column string, f ReportFilter) ([]Count, error) {
	var a ReportArgs
	rows, err := sc.s.pool.Query(ctx, `SELECT c.`+column+`, count(*) FROM conversations c
		WHERE `+f.Where(sc.v, "c", &a)+` GROUP BY 1 ORDER BY 2 DESC, 1`, a.List...)
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

// daily counts the period's conversations by UTC day and channel in one pass over
// conversations_created_idx; days without any are filled in here.
func (sc Scope) daily(ctx context.Context, f ReportFilter) ([]DayCount, error) {
	var a ReportArgs
	rows, err := sc.s.pool.Query(ctx, `SELECT floor(extract(epoch FROM c.created_at) / 86400)::bigint, c.channel, count(*)
		FROM conversations c WHERE `+f.Where(sc.v, "c", &a)+` GROUP BY 1, 2`, a.List...)
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
