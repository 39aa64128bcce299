package inbox

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// reportDB is what the report queries run on: the read-only transaction of one report.
type reportDB interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// span is a stretch of creation (or resolution) time a report reads from the base tables; a zero
// From or To leaves that end open.
type span struct{ From, To time.Time }

// reportPlan is how a report reads its conversations: the whole UTC days whose rollups are current
// (days: built by BuildReportDays and untouched since, in report_days) and the rest of the time
// (live: today, the period's partial first day, days not built yet or changed since) from the base
// tables. Every conversation falls in exactly one of the two.
type reportPlan struct {
	days []int64
	live []span
}

// planReport splits [from, to) (a zero from or to: unbounded) between the rollups and the base
// tables. It reads report_built and report_news in db's snapshot, so the rollup rows the report
// reads in the same transaction are those the plan found current.
func (s *Store) planReport(ctx context.Context, db reportDB, from, to time.Time) (reportPlan, error) {
	today := dayNumber(s.now())
	lo, hi := int64(math.MinInt32), today-1
	if !from.IsZero() {
		lo = dayNumber(from)
		if !dayStart(lo).Equal(from) {
			lo++ // a partial first day is read live
		}
	}
	if !to.IsZero() {
		hi = min(hi, dayNumber(to)-1) // a partial last day too
	}
	var p reportPlan
	if lo <= hi {
		rows, err := db.Query(ctx, `SELECT b.day FROM report_built b WHERE b.day BETWEEN $1 AND $2
			AND NOT EXISTS (SELECT 1 FROM report_news n WHERE n.day = b.day) ORDER BY b.day`, lo, hi)
		if err != nil {
			return p, fmt.Errorf("inbox: report plan: %w", err)
		}
		if p.days, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return p, fmt.Errorf("inbox: report plan: %w", err)
		}
	}
	// The live spans are [from, to) less the rolled-up days (a zero at: unbounded below).
	at := from
	for _, d := range p.days {
		if start := dayStart(d); at.IsZero() || at.Before(start) {
			p.live = append(p.live, span{From: at, To: start})
		}
		at = dayStart(d + 1)
	}
	if to.IsZero() || at.IsZero() || at.Before(to) {
		p.live = append(p.live, span{From: at, To: to})
	}
	return p, nil
}

// plan is planReport for the scope's reports; a scope made to read live only reads no rollup.
func (sc Scope) plan(ctx context.Context, db reportDB, from, to time.Time) (reportPlan, error) {
	if sc.liveOnly {
		return reportPlan{live: []span{{From: from, To: to}}}, nil
	}
	return sc.s.planReport(ctx, db, from, to)
}

// rolled reports whether any of the period is read from the rollups.
func (p reportPlan) rolled() bool { return len(p.days) > 0 }

// liveWhere is the condition that a timestamp expression falls in one of the plan's live spans
// ("false" when none).
func (p reportPlan) liveWhere(expr string, a *ReportArgs) string {
	if len(p.live) == 0 {
		return "false"
	}
	parts := make([]string, 0, len(p.live))
	for _, sp := range p.live {
		// An open end is bounded by infinity: a range with both ends is what the planner
		// estimates small on an index expression without statistics (the done instant's).
		from, to := "'-infinity'::timestamptz", "'infinity'::timestamptz"
		if !sp.From.IsZero() {
			from = a.Arg(sp.From)
		}
		if !sp.To.IsZero() {
			to = a.Arg(sp.To)
		}
		parts = append(parts, "("+expr+" >= "+from+" AND "+expr+" < "+to+")")
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// liveIDs is the condition that the conversation aliased alias is one of those whose time (expr
// over the conversations aliased x, within the rows cond selects) falls in a live span. The rows
// are found first, through the time's index, and read again by their tuple ids (a TID scan):
// otherwise the planner may combine a filter's index (a channel's, a team's: a hundred thousand
// entries) with the time's, or, on the done instant's index, which has no statistics, read the
// whole table, to keep the few rows of today.
func (p reportPlan) liveIDs(alias, cond, expr string, a *ReportArgs) string {
	if len(p.live) == 0 {
		return "false"
	}
	return alias + ".ctid = ANY(ARRAY(SELECT x.ctid FROM conversations x WHERE " + cond + " AND " + p.liveWhere(expr, a) + "))"
}

// liveCreated is the condition that the conversation aliased alias was created in a live span:
// the plain ranges of conversations_created_idx when nothing else narrows (the fastest), else
// liveIDs.
func (p reportPlan) liveCreated(alias string, f ReportFilter, v Viewer, a *ReportArgs) string {
	if v.All && f.TeamID == 0 && f.Channel == "" && f.AgentID == 0 && f.CategoryID == 0 {
		return p.liveWhere(alias+".created_at", a)
	}
	return p.liveIDs(alias, "true", "x.created_at", a)
}

// rollupWhere is the condition on the level 0 report_days rows (aliased r) of the plan's days,
// of agent_id 0 (the conversations' own figures) or of the credited agents (agents true),
// narrowed by the filter and the viewer's rule as Narrow narrows conversations.
func (p reportPlan) rollupWhere(f ReportFilter, v Viewer, agents bool, a *ReportArgs) string {
	return p.levelWhere(0, f, v, agents, a)
}

// histWhere is rollupWhere on the rows of the coarsest level whose dimensions the filter and the
// viewer's rule need (histogramLevel): only their histograms are read.
func (p reportPlan) histWhere(f ReportFilter, v Viewer, agents bool, a *ReportArgs) string {
	return p.levelWhere(histogramLevel(f, v), f, v, agents, a)
}

// histogramLevel is the report_days level that keeps the dimensions narrowRollup reads and rolls
// up the others: bits 8 team, 4 channel, 2 assignee, 1 category set for each dimension rolled up.
func histogramLevel(f ReportFilter, v Viewer) int {
	level := 0
	if v.All && f.TeamID == 0 {
		level |= 8
	}
	if f.Channel == "" {
		level |= 4
	}
	if (v.All || v.AgentID == 0) && f.AgentID == 0 {
		level |= 2
	}
	if f.CategoryID == 0 {
		level |= 1
	}
	return level
}

func (p reportPlan) levelWhere(level int, f ReportFilter, v Viewer, agents bool, a *ReportArgs) string {
	cond := "r.day = ANY(" + a.Arg(p.days) + "::int[]) AND r.level = " + a.Arg(level)
	if agents {
		cond += " AND r.agent_id <> 0"
	} else {
		cond += " AND r.agent_id = 0"
	}
	return cond + " AND " + f.narrowRollup(v, a)
}

// narrowRollup is Narrow on report_days (r), whose dimensions keep 0 for none.
func (f ReportFilter) narrowRollup(v Viewer, a *ReportArgs) string {
	cond := "true"
	if !v.All {
		rule := "r.team_id = ANY(" + a.Arg(append([]int64{}, v.TeamIDs...)) + "::bigint[])"
		if v.AgentID != 0 {
			rule += " OR r.assignee_id = " + a.Arg(v.AgentID)
		}
		if v.DefaultQueue {
			rule += " OR r.team_id = 0"
		}
		cond = "(" + rule + ")"
	}
	if f.TeamID != 0 {
		cond += " AND r.team_id = " + a.Arg(f.TeamID)
	}
	if f.Channel != "" {
		cond += " AND r.channel = " + a.Arg(string(f.Channel))
	}
	if f.AgentID != 0 {
		cond += " AND r.assignee_id = " + a.Arg(f.AgentID)
	}
	if f.CategoryID != 0 {
		p := a.Arg(f.CategoryID)
		cond += " AND r.category_id IN (SELECT id FROM categories WHERE id = " + p + " OR parent_id = " + p + ")"
	}
	return cond
}

// live is the filter restricted to the plan's live spans of creation time: its Where then reads
// only what the rollups do not hold.
func (f ReportFilter) live(p reportPlan) ReportFilter {
	f.split, f.spans = true, p
	return f
}

// dist is a distribution of durations in seconds: exact values (read live) and rollup histogram
// buckets with their counts.
type dist struct {
	values  []float64
	buckets map[int16]int64
}

// add puts a bucket's count in.
func (d *dist) add(bucket int16, n int64) {
	if d.buckets == nil {
		d.buckets = map[int16]int64{}
	}
	d.buckets[bucket] += n
}

// bucketSeconds is the duration a report_bucket stands for (migration 240): the bucket itself
// below 64 s, else the geometric middle of its sixteenth of an octave, within 2.2% of every
// duration in it.
func bucketSeconds(b int16) float64 {
	if b < 64 {
		return float64(b)
	}
	return 64 * math.Pow(2, (float64(b)-64+0.5)/16)
}

// spread is the count, median and 90th percentile of d, interpolated between the two nearest
// ranks as PostgreSQL's percentile_cont is: exact over live values, within a bucket's precision
// where rollup buckets take part.
func (d dist) spread() Spread {
	type point struct {
		v float64
		n int64
	}
	pts := make([]point, 0, len(d.values)+len(d.buckets))
	for _, v := range d.values {
		pts = append(pts, point{v, 1})
	}
	for b, n := range d.buckets {
		pts = append(pts, point{bucketSeconds(b), n})
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].v < pts[j].v })
	var total int64
	for _, p := range pts {
		total += p.n
	}
	if total == 0 {
		return Spread{}
	}
	at := func(rank int64) float64 {
		for _, p := range pts {
			if rank < p.n {
				return p.v
			}
			rank -= p.n
		}
		return pts[len(pts)-1].v
	}
	pct := func(q float64) time.Duration {
		pos := q * float64(total-1)
		lo := math.Floor(pos)
		x := at(int64(lo))
		if hi := math.Ceil(pos); hi != lo {
			x += (at(int64(hi)) - x) * (pos - lo)
		}
		return time.Duration(x * float64(time.Second)).Round(time.Second)
	}
	return Spread{N: total, Median: pct(0.5), P90: pct(0.9)}
}
