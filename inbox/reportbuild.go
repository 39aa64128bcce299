package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReportRebuildAfter is how old a built day may grow before BuildReportDays builds it again even
// though no change was recorded for it: the sweep that keeps a rollup from staying wrong should a
// change ever escape the triggers of migration 240.
const ReportRebuildAfter = 24 * time.Hour

// reportBuildBatch is how many days one BuildReportDays call considers.
const reportBuildBatch = 64

// singleSQL is first-contact resolution as a condition on a resolved conversation aliased x (id,
// resolved_at): one agent reply, and no reopening within window of its first resolution.
func singleSQL(x, window string) string {
	return `(SELECT count(*) FROM messages m WHERE m.conversation_id = ` + x + `.id
			AND m.direction = 'outbound' AND m.auto = '' AND m.author_agent_id IS NOT NULL) = 1
		AND NOT EXISTS (SELECT 1 FROM conversation_events e WHERE e.conversation_id = ` + x + `.id AND e.kind = 'status'
			AND e.data->>'from' IN ('resolved', 'closed') AND e.data->>'to' IN ('new', 'open', 'pending')
			AND e.created_at <= coalesce((SELECT min(r.created_at) FROM conversation_events r
				WHERE r.conversation_id = ` + x + `.id AND r.kind = 'status' AND r.data->>'to' = 'resolved'), ` + x + `.resolved_at)
				+ ` + window + `)`
}

// returnedSQL is repeat contact as a condition on a resolved conversation aliased x (id,
// contact_id, resolved_at): another conversation of the customer within window of its
// resolution, or a message of theirs that reopened it within window of its first resolution.
func returnedSQL(x, window string) string {
	return `(EXISTS (SELECT 1 FROM conversations n WHERE n.contact_id = ` + x + `.contact_id
			AND n.id > ` + x + `.id AND n.created_at > ` + x + `.resolved_at AND n.created_at <= ` + x + `.resolved_at + ` + window + `)
		OR EXISTS (SELECT 1 FROM conversation_events e WHERE e.conversation_id = ` + x + `.id AND e.kind = 'status'
			AND e.actor = 'customer' AND e.data->>'from' IN ('resolved', 'closed')
			AND e.created_at <= (SELECT min(r.created_at) FROM conversation_events r
				WHERE r.conversation_id = ` + x + `.id AND r.kind = 'status' AND r.data->>'to' = 'resolved') + ` + window + `))`
}

// handleTimeSQL is the handle time of a conversation aliased x (id, created_at, resolved_at,
// resolved_by) as an interval: from its last assignment to its resolver before the resolution
// (its creation when there was none) to the resolution.
func handleTimeSQL(x string) string {
	return x + `.resolved_at - coalesce((SELECT e.created_at FROM conversation_events e
		WHERE e.conversation_id = ` + x + `.id AND e.kind = 'assign' AND e.data->>'to' = ` + x + `.resolved_by::text
			AND e.created_at <= ` + x + `.resolved_at
		ORDER BY e.id DESC LIMIT 1), ` + x + `.created_at)`
}

// repeatWindowSQL is RepeatWindow as an SQL interval.
func repeatWindowSQL() string {
	return fmt.Sprintf("interval '%d seconds'", int64(RepeatWindow/time.Second))
}

// dims are report_days' dimensions over a row of conversations (or of facts, which carries them).
const dims = `team_id, channel, assignee_id, category_id, category`

// buildDaySQL writes the report_days rows of day $1, [$2, $3): the same figures, by the same
// conditions, as the live report queries compute.
var buildDaySQL = `INSERT INTO report_days (day, level, ` + dims + `, agent_id, created, closed, resolved, single, returned,
		done, replies, fr_b, fr_c, res_b, res_c, handle_b, handle_c)
	WITH conv AS MATERIALIZED (
		SELECT c.id, c.contact_id, coalesce(c.team_id, 0) AS team_id, c.channel, coalesce(c.assignee_id, 0) AS assignee_id,
			coalesce(c.category_id, 0) AS category_id, c.category, c.created_at, c.status, c.first_response_at,
			c.first_response_by, c.resolved_at, c.resolved_by, c.closed_at
		FROM conversations c WHERE c.created_at >= $2 AND c.created_at < $3),
	facts AS MATERIALIZED (
		SELECT conv.*, extract(epoch FROM conv.first_response_at - conv.created_at) AS fr,
			extract(epoch FROM conv.resolved_at - conv.created_at) AS res,
			conv.resolved_at IS NOT NULL AND ` + singleSQL("conv", repeatWindowSQL()) + ` AS single,
			conv.resolved_at IS NOT NULL AND ` + returnedSQL("conv", repeatWindowSQL()) + ` AS returned,
			CASE WHEN conv.resolved_by IS NOT NULL AND conv.resolved_at IS NOT NULL THEN
				extract(epoch FROM ` + handleTimeSQL("conv") + `) END AS handle
		FROM conv),
	spans AS (
		SELECT ` + dims + `, 0::bigint AS agent_id, 1 AS m, fr AS secs FROM facts WHERE first_response_at IS NOT NULL
		UNION ALL SELECT ` + dims + `, 0, 2, res FROM facts WHERE resolved_at IS NOT NULL
		UNION ALL SELECT ` + dims + `, first_response_by, 1, fr FROM facts
			WHERE first_response_by IS NOT NULL AND first_response_at IS NOT NULL
		UNION ALL SELECT ` + dims + `, resolved_by, 2, res FROM facts WHERE resolved_by IS NOT NULL AND resolved_at IS NOT NULL
		UNION ALL SELECT ` + dims + `, resolved_by, 3, handle FROM facts WHERE resolved_by IS NOT NULL AND resolved_at IS NOT NULL),
	fine AS (
		SELECT ` + dims + `, agent_id, m, report_bucket(secs) AS b, count(*) AS n FROM spans GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
	buckets AS (
		SELECT grouping(team_id, channel, assignee_id, category_id) AS level, coalesce(team_id, -1) AS team_id,
			coalesce(channel, '*') AS channel, coalesce(assignee_id, -1) AS assignee_id, coalesce(category_id, -1) AS category_id,
			coalesce(category, '*') AS category, agent_id, m, b, sum(n)::int AS n
		FROM fine GROUP BY agent_id, m, b, CUBE (team_id, channel, assignee_id, (category_id, category))),
	hists AS (
		SELECT level, ` + dims + `, agent_id,
			array_agg(b ORDER BY b) FILTER (WHERE m = 1) AS fr_b, array_agg(n ORDER BY b) FILTER (WHERE m = 1) AS fr_c,
			array_agg(b ORDER BY b) FILTER (WHERE m = 2) AS res_b, array_agg(n ORDER BY b) FILTER (WHERE m = 2) AS res_c,
			array_agg(b ORDER BY b) FILTER (WHERE m = 3) AS handle_b, array_agg(n ORDER BY b) FILTER (WHERE m = 3) AS handle_c
		FROM buckets GROUP BY 1, 2, 3, 4, 5, 6, 7),
	counts AS (
		SELECT ` + dims + `, 0::bigint AS agent_id, count(*) AS created,
			count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS closed,
			count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
			count(*) FILTER (WHERE single) AS single, count(*) FILTER (WHERE returned) AS returned,
			count(*) FILTER (WHERE status IN ('resolved', 'closed') AND resolved_at IS NULL AND closed_at IS NULL) AS done,
			0 AS replies
		FROM facts GROUP BY 1, 2, 3, 4, 5
		UNION ALL
		SELECT f.team_id, f.channel, f.assignee_id, f.category_id, f.category, m.author_agent_id, 0, 0, 0, 0, 0, 0, count(*)
		FROM facts f JOIN messages m ON m.conversation_id = f.id
		WHERE m.direction = 'outbound' AND m.auto = '' AND m.author_agent_id IS NOT NULL
		GROUP BY 1, 2, 3, 4, 5, 6
		UNION ALL
		SELECT coalesce(c.team_id, 0), c.channel, coalesce(c.assignee_id, 0), coalesce(c.category_id, 0), c.category, 0,
			0, 0, 0, 0, 0, count(*), 0
		FROM conversations c WHERE c.status IN ('resolved', 'closed')
			AND coalesce(c.resolved_at, c.closed_at) >= $2 AND coalesce(c.resolved_at, c.closed_at) < $3
		GROUP BY 1, 2, 3, 4, 5),
	totals AS (
		SELECT 0::int AS level, ` + dims + `, agent_id, sum(created)::int AS created, sum(closed)::int AS closed, sum(resolved)::int AS resolved,
			sum(single)::int AS single, sum(returned)::int AS returned, sum(done)::int AS done, sum(replies)::int AS replies
		FROM counts GROUP BY 2, 3, 4, 5, 6, 7)
	SELECT $1, level, ` + dims + `, agent_id, coalesce(created, 0), coalesce(closed, 0), coalesce(resolved, 0),
		coalesce(single, 0), coalesce(returned, 0), coalesce(done, 0), coalesce(replies, 0),
		coalesce(fr_b, '{}'), coalesce(fr_c, '{}'), coalesce(res_b, '{}'), coalesce(res_c, '{}'),
		coalesce(handle_b, '{}'), coalesce(handle_c, '{}')
	FROM totals FULL JOIN hists USING (level, ` + dims + `, agent_id)`

// BuildReportDays brings the dashboard's daily rollups (report_days, migration 240) up to date
// for about budget: first the days changed since they were built (report_news), then the past
// days never built (newest first: the first run after the migration backfills every day since
// the first conversation), then days built more than ReportRebuildAfter ago. Each day is rebuilt
// from the base tables in a repeatable-read transaction of its own, which also takes away the
// news it saw; a change committed meanwhile leaves its news for the next run. Today and later
// are never built: the reports read them live. It returns how many days it built and whether
// work remains.
func (s *Store) BuildReportDays(ctx context.Context, budget time.Duration) (int, bool, error) {
	start := time.Now()
	now := s.now()
	today := dayNumber(now)
	if _, err := s.pool.Exec(ctx, `WITH gone AS (DELETE FROM report_built WHERE day >= $1)
		DELETE FROM report_news WHERE day >= $1`, today); err != nil {
		return 0, false, fmt.Errorf("inbox: report days: %w", err)
	}
	rows, err := s.pool.Query(ctx, `WITH first AS (
			SELECT least((SELECT report_day(min(created_at)) FROM conversations),
				(SELECT report_day(min(coalesce(resolved_at, closed_at))) FROM conversations
					WHERE status IN ('resolved', 'closed'))) AS day)
		SELECT day FROM (
			SELECT day, 0 AS pri, -day::float8 AS ord FROM (SELECT DISTINCT day FROM report_news) n
			UNION ALL
			SELECT g, 1, -g::float8 FROM first, generate_series(first.day, $1 - 1) g
				WHERE NOT EXISTS (SELECT 1 FROM report_built b WHERE b.day = g)
			UNION ALL
			SELECT day, 2, extract(epoch FROM built_at) FROM report_built WHERE built_at < $2) x
		ORDER BY pri, ord LIMIT $3`, today, now.Add(-ReportRebuildAfter), reportBuildBatch)
	if err != nil {
		return 0, false, fmt.Errorf("inbox: report days: %w", err)
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, false, fmt.Errorf("inbox: report days: %w", err)
	}
	built := 0
	seen := map[int64]bool{}
	for _, d := range days {
		if seen[d] {
			continue
		}
		seen[d] = true
		if time.Since(start) > budget {
			return built, true, nil
		}
		if err := s.buildReportDay(ctx, d); err != nil {
			return built, true, err
		}
		built++
	}
	return built, len(days) == reportBuildBatch, nil
}

// buildReportDay rebuilds one day's rollup rows and marks it built, in one repeatable-read
// transaction (run again on a serialization failure).
func (s *Store) buildReportDay(ctx context.Context, day int64) error {
	err := retryTx(ctx, func() error {
		return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM report_days WHERE day = $1`, day); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, buildDaySQL, day, dayStart(day), dayStart(day+1)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO report_built (day, built_at) VALUES ($1, $2)
				ON CONFLICT (day) DO UPDATE SET built_at = EXCLUDED.built_at`, day, s.now()); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM report_news WHERE day = $1`, day)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("inbox: report day %d: %w", day, err)
	}
	return nil
}
