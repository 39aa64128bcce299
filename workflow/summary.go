package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Summary is the week in figures that supervisors are mailed on Mondays and that
// GET /api/v1/reports/summary answers for any period: how much came in and on which channels,
// how fast it was answered and resolved, the SLA kept, what customers said, the complaints,
// and what is waiting now. Previous holds the same figures for the period just before, so a
// reader sees the trend.
type Summary struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Figures
	// Previous is the period of the same length just before From.
	Previous Figures `json:"previous"`
	// OpenNow and UnassignedNow are the conversations waiting when the summary was made.
	OpenNow       int64 `json:"open_now"`
	UnassignedNow int64 `json:"unassigned_now"`
}

// Figures are one period's figures of a Summary.
type Figures struct {
	// Conversations were created in the period; Resolved of them are resolved or closed.
	Conversations int64          `json:"conversations"`
	Resolved      int64          `json:"resolved"`
	Channels      []ChannelCount `json:"channels"`
	// FirstResponse and Resolution are wall-clock, over the period's conversations.
	FirstResponse spreadJSON `json:"first_response"`
	Resolution    spreadJSON `json:"resolution"`
	// SLAMet is the share of decided SLA targets met, 0-100 (SLADecided of them).
	SLAMet     float64 `json:"sla_met_percent"`
	SLADecided int64   `json:"sla_decided"`
	// Breaches are the SLA breaches recorded in the period.
	Breaches int64 `json:"breaches"`
	// CSAT is over the survey answers given in the period.
	CSATAnswered int64   `json:"csat_answered"`
	CSATAverage  float64 `json:"csat_average"`
	CSATLow      int64   `json:"csat_low"` // answers of 1 or 2
	// Complaints were created in the period in a complaint category; ComplaintsResolved of them
	// are resolved or closed.
	Complaints         int64 `json:"complaints"`
	ComplaintsResolved int64 `json:"complaints_resolved"`
}

// ChannelCount is how many conversations came in on one channel.
type ChannelCount struct {
	Channel       string `json:"channel"`
	Conversations int64  `json:"conversations"`
}

// spreadJSON is an inbox.Spread in whole seconds.
type spreadJSON struct {
	N         int64 `json:"n"`
	MedianSec int64 `json:"median_seconds"`
	P90Sec    int64 `json:"p90_seconds"`
}

func spreadOf(s inbox.Spread) spreadJSON {
	return spreadJSON{N: s.N, MedianSec: int64(s.Median / time.Second), P90Sec: int64(s.P90 / time.Second)}
}

// Median is the median as a duration.
func (s spreadJSON) Median() time.Duration { return time.Duration(s.MedianSec) * time.Second }

// P90 is the 90th percentile as a duration.
func (s spreadJSON) P90() time.Duration { return time.Duration(s.P90Sec) * time.Second }

// Summary computes the summary of what f selects and v may see, over f's period and the period
// of the same length before it, with the same filters. A period that does not run forwards is an
// *inbox.ValidationError.
func (s *SLA) Summary(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter) (Summary, error) {
	if err := f.Validate(); err != nil {
		return Summary{}, fmt.Errorf("workflow: summary: %w", err)
	}
	out := Summary{From: f.From, To: f.To}
	var err error
	if out.Figures, err = s.figures(ctx, v, f); err != nil {
		return out, err
	}
	prev := f
	prev.From, prev.To = f.From.Add(-f.To.Sub(f.From)), f.From
	if out.Previous, err = s.figures(ctx, v, prev); err != nil {
		return out, err
	}
	if out.OpenNow, out.UnassignedNow, err = s.store.As(v).OpenNow(ctx, f); err != nil {
		return out, fmt.Errorf("workflow: summary: open now: %w", err)
	}
	return out, nil
}

// figures computes one period's Figures from the dashboard's own report queries (the parts of
// inbox.Scope.Report and SLA.Report it needs: Scope.Volumes, Scope.Outcomes, SLA.quality) and the breaches through their time index.
func (s *SLA) figures(ctx context.Context, v inbox.Viewer, f inbox.ReportFilter) (Figures, error) {
	var out Figures
	r, err := s.store.As(v).Volumes(ctx, f)
	if err != nil {
		return out, fmt.Errorf("workflow: summary: %w", err)
	}
	q, err := s.quality(ctx, v, f)
	if err != nil {
		return out, fmt.Errorf("workflow: summary: %w", err)
	}
	out.Channels = make([]ChannelCount, 0, len(r.Channels))
	for _, c := range r.Channels {
		out.Conversations += c.N
		out.Channels = append(out.Channels, ChannelCount{Channel: c.Label, Conversations: c.N})
	}
	out.FirstResponse, out.Resolution = spreadOf(r.FirstResponse), spreadOf(r.Resolution)
	out.SLAMet, out.SLADecided = q.Overall.Percent(), q.Overall.Total()
	out.CSATAnswered, out.CSATAverage, out.CSATLow = q.CSAT.Answered, q.CSAT.Average, q.CSAT.Scores[0]+q.CSAT.Scores[1]
	o, err := s.store.As(v).Outcomes(ctx, f)
	if err != nil {
		return out, fmt.Errorf("workflow: summary: %w", err)
	}
	out.Resolved, out.Complaints, out.ComplaintsResolved = o.Resolved, o.Complaints, o.ComplaintsResolved
	var b inbox.ReportArgs
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sla_breaches sb JOIN conversations c ON c.id = sb.conversation_id
		WHERE sb.breached_at >= `+b.Arg(f.From)+` AND sb.breached_at < `+b.Arg(f.To)+` AND `+f.Narrow(v, "c", &b),
		b.List...).Scan(&out.Breaches); err != nil {
		return out, fmt.Errorf("workflow: summary: breaches: %w", err)
	}
	return out, nil
}
