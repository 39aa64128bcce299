package workflow

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// CrossCSAT is the satisfaction of one combination of the report's dimensions: the
// conversation's category ("" uncategorized), channel and team (0: none), the agent who
// resolved it (0: nobody, the system) and whether its SLA was met, over the answers given in
// the period. Satisfied counts the 4s and 5s.
type CrossCSAT struct {
	Category  string
	Channel   inbox.Channel
	TeamID    int64
	Team      string
	AgentID   int64
	Agent     string
	SLAMet    bool
	Answered  int64
	Average   float64
	Satisfied int64
}

// crossCSAT groups the period's survey answers (surveys_answered_idx) by the dimensions of
// CrossCSAT, over the conversations f narrows to and v may see.
func (s *SLA) crossCSAT(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter) ([]CrossCSAT, error) {
	var a inbox.ReportArgs
	rows, err := s.pool.Query(ctx, `WITH `+answersSQL(f, &a)+`
		SELECT c.category, c.channel, coalesce(c.team_id, 0), coalesce(t.name, ''),
			coalesce(s.resolved_by, 0), coalesce(g.name, ''), s.sla_met, count(*), avg(s.score)::float8,
			count(*) FILTER (WHERE s.score >= 4)
		FROM s JOIN conversations c ON c.id = s.conversation_id
			LEFT JOIN teams t ON t.id = c.team_id LEFT JOIN agents g ON g.id = s.resolved_by
		WHERE `+f.Narrow(v, "c", &a)+`
		GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 4, 6, 7 DESC`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("workflow: report: csat cross: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CrossCSAT, error) {
		var x CrossCSAT
		err := r.Scan(&x.Category, &x.Channel, &x.TeamID, &x.Team, &x.AgentID, &x.Agent, &x.SLAMet, &x.Answered,
			&x.Average, &x.Satisfied)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: report: csat cross: %w", err)
	}
	return out, nil
}

// businessTimes fills the business-hours first response and resolution of the period's
// conversations from their met clocks (the clocks' primary key, after conversations_created_idx).
func (s *SLA) businessTimes(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter, q *Quality) error {
	for _, m := range []struct {
		target sla.Target
		into   *inbox.Spread
	}{{sla.FirstResponse, &q.FirstResponse}, {sla.Resolution, &q.Resolution}} {
		var a inbox.ReportArgs
		err := s.pool.QueryRow(ctx, `SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY k.business_secs),
				percentile_cont(0.9) WITHIN GROUP (ORDER BY k.business_secs)
			FROM conversations c JOIN sla_clocks k ON k.conversation_id = c.id AND k.target = `+a.Arg(m.target)+`
			WHERE `+f.Where(v, "c", &a)+` AND k.state = 'met' AND k.business_secs IS NOT NULL`, a.List...).
			Scan(inbox.SpreadDest(m.into)...)
		if err != nil {
			return fmt.Errorf("workflow: report: business %s: %w", m.target, err)
		}
	}
	return nil
}
