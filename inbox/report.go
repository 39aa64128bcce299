package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Report is what a supervisor reads about the conversations created in a period [From, To).
type Report struct {
	From, To   time.Time
	Channels   []Count // conversations by channel, most first
	Categories []Count // conversations by category ("" is uncategorized), most first
	Daily      []DayCount
	// FirstResponse is the time from creation to the first human reply; Resolution the time
	// from creation to resolution, of the conversations that have one.
	FirstResponse Spread
	Resolution    Spread
	Agents        []AgentStats
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
// did the work, whoever the conversation is assigned to: Resolved and MedianResolution count the
// conversations they resolved, MedianFirstResponse those whose first reply was theirs.
type AgentStats struct {
	AgentID             int64
	Name                string
	Assigned            int64 // assigned to them now
	Resolved            int64
	Replies             int64
	MedianFirstResponse time.Duration
	MedianResolution    time.Duration
}

// Report computes the period's figures from the conversations and messages tables. Every query
// selects conversations by created_at (conversations_created_idx).
func (s *Store) Report(ctx context.Context, from, to time.Time) (Report, error) {
	if !from.Before(to) {
		return Report{}, fmt.Errorf("inbox: report: %w", invalid("period", "must end after it starts"))
	}
	r := Report{From: from, To: to}
	var err error
	if r.Channels, err = s.counts(ctx, "channel", from, to); err != nil {
		return r, err
	}
	if r.Categories, err = s.counts(ctx, "category", from, to); err != nil {
		return r, err
	}
	if r.Daily, err = s.daily(ctx, from, to); err != nil {
		return r, err
	}
	if err := s.pool.QueryRow(ctx, `SELECT
			count(first_response_at),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)), 0),
			coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)), 0)
		FROM conversations WHERE created_at >= $1 AND created_at < $2 AND first_response_at IS NOT NULL`, from, to).
		Scan(spreadDest(&r.FirstResponse)...); err != nil {
		return r, fmt.Errorf("inbox: report: first response: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT
			count(resolved_at),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)), 0),
			coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)), 0)
		FROM conversations WHERE created_at >= $1 AND created_at < $2 AND resolved_at IS NOT NULL`, from, to).
		Scan(spreadDest(&r.Resolution)...); err != nil {
		return r, fmt.Errorf("inbox: report: resolution: %w", err)
	}
	if r.Agents, err = s.agentStats(ctx, from, to); err != nil {
		return r, err
	}
	return r, nil
}

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

func (s *Store) counts(ctx context.Context, column string, from, to time.Time) ([]Count, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+column+`, count(*) FROM conversations
		WHERE created_at >= $1 AND created_at < $2 GROUP BY 1 ORDER BY 2 DESC, 1`, from, to)
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

func (s *Store) daily(ctx context.Context, from, to time.Time) ([]DayCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT d::date, c.channel, count(c.id)
		FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
		                     date_trunc('day', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'), interval '1 day') d
		LEFT JOIN conversations c ON c.created_at >= $1 AND c.created_at < $2
			AND c.created_at >= d AT TIME ZONE 'UTC' AND c.created_at < (d + interval '1 day') AT TIME ZONE 'UTC'
		GROUP BY 1, 2 ORDER BY 1, 2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: daily: %w", err)
	}
	defer rows.Close()
	var out []DayCount
	for rows.Next() {
		var day time.Time
		var ch *string
		var n int64
		if err := rows.Scan(&day, &ch, &n); err != nil {
			return nil, fmt.Errorf("inbox: report: daily: %w", err)
		}
		if len(out) == 0 || !out[len(out)-1].Day.Equal(day) {
			out = append(out, DayCount{Day: day, ByChannel: map[Channel]int64{}})
		}
		if ch != nil {
			d := &out[len(out)-1]
			d.ByChannel[Channel(*ch)] += n
			d.Total += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: report: daily: %w", err)
	}
	return out, nil
}

func (s *Store) agentStats(ctx context.Context, from, to time.Time) ([]AgentStats, error) {
	rows, err := s.pool.Query(ctx, `WITH conv AS MATERIALIZED (
			SELECT assignee_id, first_response_by, resolved_by, created_at, first_response_at, resolved_at
			FROM conversations WHERE created_at >= $1 AND created_at < $2),
		assigned AS (
			SELECT assignee_id AS agent_id, count(*) AS n FROM conv WHERE assignee_id IS NOT NULL GROUP BY 1),
		first AS (
			SELECT first_response_by AS agent_id,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at)) AS median
			FROM conv WHERE first_response_by IS NOT NULL AND first_response_at IS NOT NULL GROUP BY 1),
		resolved AS (
			SELECT resolved_by AS agent_id, count(*) AS n,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) AS median
			FROM conv WHERE resolved_by IS NOT NULL AND resolved_at IS NOT NULL GROUP BY 1),
		replies AS (
			SELECT m.author_agent_id AS agent_id, count(*) AS n
			FROM conversations c JOIN messages m ON m.conversation_id = c.id
			WHERE c.created_at >= $1 AND c.created_at < $2 AND m.direction = 'outbound' AND m.auto = ''
				AND m.author_agent_id IS NOT NULL
			GROUP BY m.author_agent_id)
		SELECT a.id, a.name, coalesce(assigned.n, 0), coalesce(resolved.n, 0), coalesce(replies.n, 0), first.median, resolved.median
		FROM agents a LEFT JOIN assigned ON assigned.agent_id = a.id LEFT JOIN first ON first.agent_id = a.id
			LEFT JOIN resolved ON resolved.agent_id = a.id LEFT JOIN replies ON replies.agent_id = a.id
		ORDER BY coalesce(assigned.n, 0) DESC, a.name`, from, to)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgentStats, error) {
		var a AgentStats
		err := r.Scan(&a.AgentID, &a.Name, &a.Assigned, &a.Resolved, &a.Replies,
			secondsInto(&a.MedianFirstResponse), secondsInto(&a.MedianResolution))
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	return out, nil
}
