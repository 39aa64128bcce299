package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Feedback is one survey answer as supervisors read it: the score and comment with what it is
// judged against (the resolving agent, the category, the channel, the conversation's team) and
// the follow-up it opened, if any.
type Feedback struct {
	SurveyID       int64           `json:"survey_id"`
	ConversationID int64           `json:"conversation_id"`
	Subject        string          `json:"subject"`
	ContactID      int64           `json:"contact_id"`
	ContactName    string          `json:"contact_name"`
	Score          int             `json:"score"`
	Comment        string          `json:"comment"`
	AgentID        *int64          `json:"agent_id,omitempty"`
	Category       string          `json:"category"`
	Channel        inbox.Channel   `json:"channel"`
	TeamID         *int64          `json:"team_id,omitempty"`
	AnsweredAt     time.Time       `json:"answered_at"`
	FollowupID     *int64          `json:"followup_id,omitempty"`
	FollowupStatus *FollowupStatus `json:"followup_status,omitempty"`
}

// FeedbackFilter selects answers given in [From, To) (zero: unbounded), newest first.
type FeedbackFilter struct {
	// MinScore and MaxScore bound the score (0: 1 and 5).
	MinScore, MaxScore int
	Channel            inbox.Channel
	TeamID             int64 // the conversation's team
	AgentID            int64 // the agent who resolved it
	CategoryID         int64 // a parent takes its children
	ContactID          int64
	From, To           time.Time
	// Cursor continues after the previous page's last answer; Limit is 1-500, default 50.
	Cursor string
	Limit  int
}

// FeedbackPage is one page of answers; Next is empty on the last page.
type FeedbackPage struct {
	Answers []Feedback `json:"answers"`
	Next    string     `json:"next_cursor,omitempty"`
}

// Feedback lists the survey answers of the conversations viewer v may see (inbox.Viewer's rule),
// in keyset pages, newest first. It reads conversations, contacts and categories read-only
// beside its own surveys and follow-ups, in one statement per page. A bad filter or cursor is
// an *inbox.ValidationError.
func (s *SLA) Feedback(ctx context.Context, v inbox.Viewer, f FeedbackFilter) (FeedbackPage, error) {
	limit, err := pageLimit(f.Limit, 50, 500)
	if err != nil {
		return FeedbackPage{}, err
	}
	min, max := f.MinScore, f.MaxScore
	if min == 0 {
		min = 1
	}
	if max == 0 {
		max = 5
	}
	switch {
	case min < 1 || min > 5 || max < 1 || max > 5:
		return FeedbackPage{}, fmt.Errorf("workflow: feedback: %w", &inbox.ValidationError{Field: "score", Reason: "must be 1 to 5"})
	case min > max:
		return FeedbackPage{}, fmt.Errorf("workflow: feedback: %w", &inbox.ValidationError{Field: "score", Reason: "the lowest must not be above the highest"})
	case f.Channel != "" && !f.Channel.Valid():
		return FeedbackPage{}, fmt.Errorf("workflow: feedback: %w", &inbox.ValidationError{Field: "channel", Reason: "is not a known channel"})
	case !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From):
		return FeedbackPage{}, fmt.Errorf("workflow: feedback: %w", &inbox.ValidationError{Field: "to", Reason: "must be after from"})
	}
	var before *time.Time
	var beforeID int64
	if f.Cursor != "" {
		key, id, err := decodeKey(f.Cursor)
		if err != nil {
			return FeedbackPage{}, err
		}
		t := time.UnixMicro(key)
		before, beforeID = &t, id
	}
	args := []any{min, max, string(f.Channel), f.TeamID, f.AgentID, f.CategoryID, f.ContactID, zeroTime(f.From),
		zeroTime(f.To), before, beforeID, limit + 1}
	arg := func(x any) string { args = append(args, x); return fmt.Sprintf("$%d", len(args)) }
	rows, err := s.pool.Query(ctx, `SELECT s.id, s.conversation_id, c.subject, c.contact_id, coalesce(ct.name, ''), s.score,
			s.comment, s.resolved_by, s.category, s.channel, c.team_id, s.answered_at, fu.id, fu.status
		FROM surveys s
		JOIN conversations c ON c.id = s.conversation_id
		LEFT JOIN contacts ct ON ct.id = c.contact_id
		LEFT JOIN followups fu ON fu.survey_id = s.id
		WHERE s.answered_at IS NOT NULL AND s.score BETWEEN $1 AND $2
			AND ($3::text = '' OR s.channel = $3) AND ($4::bigint = 0 OR c.team_id = $4)
			AND ($5::bigint = 0 OR s.resolved_by = $5)
			AND ($6::bigint = 0 OR c.category_id IN (SELECT k.id FROM categories k WHERE k.id = $6 OR k.parent_id = $6))
			AND ($7::bigint = 0 OR c.contact_id = $7)
			AND ($8::timestamptz IS NULL OR s.answered_at >= $8) AND ($9::timestamptz IS NULL OR s.answered_at < $9)
			AND ($10::timestamptz IS NULL OR (s.answered_at, s.id) < ($10, $11))
			AND `+v.Where("c", arg)+`
		ORDER BY s.answered_at DESC, s.id DESC LIMIT $12`, args...)
	if err != nil {
		return FeedbackPage{}, fmt.Errorf("workflow: feedback: %w", err)
	}
	page := FeedbackPage{Answers: []Feedback{}}
	var fb Feedback
	var score int16
	var fstatus *string
	if _, err := pgx.ForEachRow(rows, []any{&fb.SurveyID, &fb.ConversationID, &fb.Subject, &fb.ContactID, &fb.ContactName,
		&score, &fb.Comment, &fb.AgentID, &fb.Category, &fb.Channel, &fb.TeamID, &fb.AnsweredAt, &fb.FollowupID, &fstatus}, func() error {
		a := fb
		a.Score = int(score)
		a.FollowupStatus = nil
		if fstatus != nil {
			st := FollowupStatus(*fstatus)
			a.FollowupStatus = &st
		}
		page.Answers = append(page.Answers, a)
		return nil
	}); err != nil {
		return FeedbackPage{}, fmt.Errorf("workflow: feedback: %w", err)
	}
	if len(page.Answers) > limit {
		page.Answers = page.Answers[:limit]
		last := page.Answers[limit-1]
		page.Next = encodeKey(last.AnsweredAt.UnixMicro(), last.SurveyID)
	}
	return page, nil
}
