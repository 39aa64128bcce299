package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// FollowupFilter selects follow-ups: by status ("" any), assignee, conversation (0 any); at most
// Limit (1-500, default 100), open first, newest first within each.
type FollowupFilter struct {
	Status         FollowupStatus
	AssigneeID     int64
	ConversationID int64
	Limit          int
}

// Followups lists the follow-ups of the conversations viewer v may see. A bad status or limit
// is an *inbox.ValidationError.
func (s *SLA) Followups(ctx context.Context, v inbox.Viewer, f FollowupFilter) ([]Followup, error) {
	limit, err := pageLimit(f.Limit, 100, 500)
	if err != nil {
		return nil, err
	}
	if f.Status != "" && f.Status != FollowupOpen && f.Status != FollowupDone {
		return nil, fmt.Errorf("workflow: follow-ups: %w", &inbox.ValidationError{Field: "status", Reason: "must be open or done"})
	}
	args := []any{string(f.Status), f.AssigneeID, f.ConversationID, limit}
	arg := func(x any) string { args = append(args, x); return fmt.Sprintf("$%d", len(args)) }
	rows, err := s.pool.Query(ctx, `SELECT `+followupCols+followupFrom+`
		WHERE ($1::text = '' OR f.status = $1) AND ($2::bigint = 0 OR f.assignee_id = $2)
			AND ($3::bigint = 0 OR f.conversation_id = $3) AND `+v.Where("c", arg)+`
		ORDER BY f.status = 'done', f.created_at DESC, f.id DESC LIMIT $4`, args...)
	if err != nil {
		return nil, fmt.Errorf("workflow: follow-ups: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Followup, error) { return scanFollowup(r) })
	if err != nil {
		return nil, fmt.Errorf("workflow: follow-ups: %w", err)
	}
	return out, nil
}

// FollowupReport is how service recovery went for the follow-ups opened in a period: how many
// are open and closed, the median time from opening to closing (of the closed; nil when none
// is), and how many closed with each outcome.
type FollowupReport struct {
	Open          int64                     `json:"open"`
	Closed        int64                     `json:"closed"`
	MedianToClose *time.Duration            `json:"-"`
	MedianSecs    *float64                  `json:"median_close_secs,omitempty"`
	Outcomes      map[RecoveryOutcome]int64 `json:"outcomes"`
}

// FollowupStats reports on the follow-ups opened in [from, to) (zero: unbounded) of the
// conversations viewer v may see.
func (s *SLA) FollowupStats(ctx context.Context, v inbox.Viewer, from, to time.Time) (FollowupReport, error) {
	args := []any{zeroTime(from), zeroTime(to)}
	arg := func(x any) string { args = append(args, x); return fmt.Sprintf("$%d", len(args)) }
	rows, err := s.pool.Query(ctx, `SELECT f.status, f.outcome, count(*),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.closed_at - f.created_at))
		FROM followups f JOIN conversations c ON c.id = f.conversation_id
		WHERE ($1::timestamptz IS NULL OR f.created_at >= $1) AND ($2::timestamptz IS NULL OR f.created_at < $2)
			AND `+v.Where("c", arg)+`
		GROUP BY GROUPING SETS ((f.status, f.outcome), ())`, args...)
	if err != nil {
		return FollowupReport{}, fmt.Errorf("workflow: follow-up report: %w", err)
	}
	rep := FollowupReport{Outcomes: map[RecoveryOutcome]int64{}}
	var status, outcome *string
	var n int64
	var median *float64
	_, err = pgx.ForEachRow(rows, []any{&status, &outcome, &n, &median}, func() error {
		switch {
		case status == nil: // the grand total: the median over every closed one
			if median != nil {
				d := time.Duration(*median * float64(time.Second))
				secs := *median
				rep.MedianToClose, rep.MedianSecs = &d, &secs
			}
		case *status == string(FollowupOpen):
			rep.Open += n
		default:
			rep.Closed += n
			rep.Outcomes[RecoveryOutcome(*outcome)] += n
		}
		return nil
	})
	if err != nil {
		return FollowupReport{}, fmt.Errorf("workflow: follow-up report: %w", err)
	}
	return rep, nil
}
