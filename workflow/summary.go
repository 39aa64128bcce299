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

// Summary computes the summary of [from, to) and of the period of the same length before it.
// A period that does not run forwards is an *inbox.ValidationError.
func (s *SLA) Summary(ctx context.Context, from, to time.Time) (Summary, error) {
	if !from.Before(to) {
		return Summary{}, fmt.Errorf("workflow: summary: %w", &inbox.ValidationError{Field: "to", Reason: "must be after from"})
	}
	out := Summary{From: from, To: to}
	var err error
	if out.Figures, err = s.figures(ctx, from, to); err != nil {
		return out, err
	}
	if out.Previous, err = s.figures(ctx, from.Add(-to.Sub(from)), from); err != nil {
		return out, err
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE assignee_id IS NULL) FROM conversations
		WHERE status IN ('new', 'open', 'pending')`).Scan(&out.OpenNow, &out.UnassignedNow)
	if err != nil {
		return out, fmt.Errorf("workflow: summary: open now: %w", err)
	}
	return out, nil
}

// figures computes one period's Figures from the dashboard's own reports (inbox.Report and
// SLA.Report) and two counts through the conversations' and breaches' time indexes.
func (s *SLA) figures(ctx context.Context, from, to time.Time) (Figures, error) {
	var f Figures
	r, err := s.store.Report(ctx, from, to)
	if err != nil {
		return f, fmt.Errorf("workflow: summary: %w", err)
	}
	q, err := s.Report(ctx, from, to)
	if err != nil {
		return f, fmt.Errorf("workflow: summary: %w", err)
	}
	f.Channels = make([]ChannelCount, 0, len(r.Channels))
	for _, c := range r.Channels {
		f.Conversations += c.N
		f.Channels = append(f.Channels, ChannelCount{Channel: c.Label, Conversations: c.N})
	}
	f.FirstResponse, f.Resolution = spreadOf(r.FirstResponse), spreadOf(r.Resolution)
	f.SLAMet, f.SLADecided = q.Overall.Percent(), q.Overall.Total()
	f.CSATAnswered, f.CSATAverage, f.CSATLow = q.CSAT.Answered, q.CSAT.Average, q.CSAT.Scores[0]+q.CSAT.Scores[1]
	err = s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE c.status IN ('resolved', 'closed')),
			count(*) FILTER (WHERE k.complaint), count(*) FILTER (WHERE k.complaint AND c.status IN ('resolved', 'closed'))
		FROM conversations c LEFT JOIN categories k ON k.id = c.category_id
		WHERE c.created_at >= $1 AND c.created_at < $2`, from, to).Scan(&f.Resolved, &f.Complaints, &f.ComplaintsResolved)
	if err != nil {
		return f, fmt.Errorf("workflow: summary: conversations: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sla_breaches WHERE breached_at >= $1 AND breached_at < $2`,
		from, to).Scan(&f.Breaches); err != nil {
		return f, fmt.Errorf("workflow: summary: breaches: %w", err)
	}
	return f, nil
}
