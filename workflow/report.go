package workflow

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// Compliance is how often one SLA target was met: of the targets decided (met, or missed),
// Met were met in time and Breached were missed at least once.
type Compliance struct {
	Target   sla.Target
	Met      int64
	Breached int64
}

// Total is the number of decided targets.
func (c Compliance) Total() int64 { return c.Met + c.Breached }

// Percent is the share met, 0-100; zero when nothing was decided.
func (c Compliance) Percent() float64 {
	if c.Total() == 0 {
		return 0
	}
	return 100 * float64(c.Met) / float64(c.Total())
}

// CSAT summarizes the satisfaction answers of a period: how many, their mean and how many
// gave each score (Scores[0] counts the 1s, Scores[4] the 5s).
type CSAT struct {
	Answered int64
	Average  float64
	Scores   [5]int64
}

// AgentQuality is one agent's SLA and CSAT figures over a period: the targets of the
// conversations they hold, and the answers to the surveys of the resolutions they made.
type AgentQuality struct {
	AgentID  int64
	Targets  int64
	Breached int64
	Answered int64
	Average  float64
}

// Quality is the SLA compliance and satisfaction of a period.
type Quality struct {
	// Compliance has one entry per target kind, in the order first response, next response,
	// resolution, over the conversations created in the period.
	Compliance []Compliance
	// Overall sums every target kind.
	Overall Compliance
	// CSAT is over the survey answers given in the period.
	CSAT   CSAT
	Agents map[int64]AgentQuality
	// FirstResponse and Resolution are business-hours durations on the calendar of each
	// conversation's SLA policy, from its clock's start to the target met (sla_clocks.business_secs),
	// of the period's conversations that had a policy.
	FirstResponse inbox.Spread
	Resolution    inbox.Spread
	// Cross is CSAT by category, channel, team, agent and whether the SLA was met.
	Cross []CrossCSAT
}

// Report computes the SLA compliance, business-hours times and CSAT of what f selects and v may
// see. A clock counts once it is decided: met, or missed (a breach row for its conversation and
// target); clocks still running before their due instant, or stopped unmet without a breach,
// do not count. A period that ends before it starts is an *inbox.ValidationError.
func (s *SLA) Report(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter) (Quality, error) {
	if err := f.Validate(); err != nil {
		return Quality{}, fmt.Errorf("workflow: report: %w", err)
	}
	q, err := s.quality(ctx, v, f)
	if err != nil {
		return q, err
	}
	if err := s.businessTimes(ctx, v, f, &q); err != nil {
		return q, err
	}
	if q.Cross, err = s.crossCSAT(ctx, v, f); err != nil {
		return q, err
	}
	return q, nil
}

// quality is the part of Report that the weekly summary reads: Compliance, Overall, CSAT and
// Agents.
func (s *SLA) quality(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter) (Quality, error) {
	q := Quality{Agents: map[int64]AgentQuality{}}
	if err := s.compliance(ctx, v, f, &q); err != nil {
		return q, err
	}
	if err := s.csat(ctx, v, f, &q); err != nil {
		return q, err
	}
	return q, nil
}

// compliance fills the per-target and per-agent SLA figures. It reaches the clocks through
// the period's conversations (conversations_created_idx, then the clocks' primary key).
//
// Like the board, it reads the inbox's conversations table itself, read-only, joined with the
// clocks: the period and the agents are the conversations', the figures the clocks', and only
// one query that sees both can aggregate a period without shipping its conversations' ids.
func (s *SLA) compliance(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter, q *Quality) error {
	var a inbox.ReportArgs
	rows, err := s.pool.Query(ctx, `WITH decided AS (
			SELECT k.target, c.assignee_id,
				k.breached_at IS NOT NULL OR EXISTS (SELECT 1 FROM sla_breaches b
					WHERE b.conversation_id = k.conversation_id AND b.target = k.target) AS breached,
				k.state = 'met' AS met
			FROM conversations c JOIN sla_clocks k ON k.conversation_id = c.id
			WHERE `+f.Where(v, "c", &a)+`)
		SELECT target, assignee_id, count(*) FILTER (WHERE NOT breached), count(*) FILTER (WHERE breached)
		FROM decided WHERE met OR breached GROUP BY 1, 2`, a.List...)
	if err != nil {
		return fmt.Errorf("workflow: report: compliance: %w", err)
	}
	byTarget := map[sla.Target]*Compliance{}
	for _, t := range []sla.Target{sla.FirstResponse, sla.NextResponse, sla.Resolution} {
		q.Compliance = append(q.Compliance, Compliance{Target: t})
	}
	for i := range q.Compliance {
		byTarget[q.Compliance[i].Target] = &q.Compliance[i]
	}
	var target sla.Target
	var agent *int64
	var met, breached int64
	_, err = pgx.ForEachRow(rows, []any{&target, &agent, &met, &breached}, func() error {
		if c := byTarget[target]; c != nil {
			c.Met += met
			c.Breached += breached
		}
		q.Overall.Met += met
		q.Overall.Breached += breached
		if agent != nil {
			a := q.Agents[*agent]
			a.AgentID = *agent
			a.Targets += met + breached
			a.Breached += breached
			q.Agents[*agent] = a
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("workflow: report: compliance: %w", err)
	}
	return nil
}

// answersSQL is the CTE s of the answers given in f's period, read first through
// surveys_answered_idx (their conversations then by primary key): without the fence the planner
// may start from a filter's index on conversations and read every conversation of a channel.
func answersSQL(f inbox.ReportFilter, a *inbox.ReportArgs) string {
	return `s AS MATERIALIZED (SELECT s.conversation_id, s.resolved_by, s.score, s.sla_met FROM surveys s
		WHERE s.answered_at >= ` + a.Arg(f.From) + ` AND s.answered_at < ` + a.Arg(f.To) + ` AND s.score IS NOT NULL)`
}

// csat fills the satisfaction figures from the answers given in the period
// (surveys_answered_idx) about the conversations f narrows to and v may see.
func (s *SLA) csat(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter, q *Quality) error {
	var a inbox.ReportArgs
	rows, err := s.pool.Query(ctx, `WITH `+answersSQL(f, &a)+`
		SELECT s.resolved_by, s.score, count(*) FROM s JOIN conversations c ON c.id = s.conversation_id
		WHERE `+f.Narrow(v, "c", &a)+` GROUP BY 1, 2`, a.List...)
	if err != nil {
		return fmt.Errorf("workflow: report: csat: %w", err)
	}
	var agent *int64
	var score int16
	var n int64
	var sum float64
	sums := map[int64]float64{}
	_, err = pgx.ForEachRow(rows, []any{&agent, &score, &n}, func() error {
		if score < 1 || score > 5 {
			return nil
		}
		q.CSAT.Scores[score-1] += n
		q.CSAT.Answered += n
		sum += float64(score) * float64(n)
		if agent != nil {
			a := q.Agents[*agent]
			a.AgentID = *agent
			a.Answered += n
			sums[*agent] += float64(score) * float64(n)
			q.Agents[*agent] = a
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("workflow: report: csat: %w", err)
	}
	if q.CSAT.Answered > 0 {
		q.CSAT.Average = sum / float64(q.CSAT.Answered)
	}
	for id, a := range q.Agents {
		if a.Answered > 0 {
			a.Average = sums[id] / float64(a.Answered)
			q.Agents[id] = a
		}
	}
	return nil
}
