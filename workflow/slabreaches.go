package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// Breach is one missed SLA target: who held the conversation when it was missed, how far the
// escalation went and by how long it was overdue (until met, or until now while unmet).
type Breach struct {
	ID             int64      `json:"id"`
	ConversationID int64      `json:"conversation_id"`
	Subject        string     `json:"subject"`
	Target         sla.Target `json:"target"`
	PolicyID       *int64     `json:"policy_id,omitempty"`
	DueAt          time.Time  `json:"due_at"`
	BreachedAt     time.Time  `json:"breached_at"`
	MetAt          *time.Time `json:"met_at,omitempty"`
	OverdueMS      int64      `json:"overdue_ms"`
	AssigneeID     *int64     `json:"assignee_id,omitempty"`
	TeamID         *int64     `json:"team_id,omitempty"`
	Level          int        `json:"level"`
}

// BreachFilter selects breaches recorded in [From, To), newest first.
type BreachFilter struct {
	From, To time.Time
	TeamID   *int64
	// PolicyID, AssigneeID (the agent who held it) and Target narrow the breaches further.
	PolicyID   *int64
	AssigneeID *int64
	Target     sla.Target
	// Cursor continues after the previous page's last breach; Limit is 1-500, default 100.
	Cursor string
	Limit  int
}

// BreachPage is one page of breaches; Next is empty on the last page.
type BreachPage struct {
	Breaches []Breach `json:"breaches"`
	Next     string   `json:"next_cursor,omitempty"`
}

// Breaches lists the breaches recorded in a period, newest first, in keyset pages, with their
// conversations' subjects (inbox.Store.Subjects). A period that ends before it starts is an
// *inbox.ValidationError.
func (s *SLA) Breaches(ctx context.Context, f BreachFilter) (BreachPage, error) {
	limit, err := pageLimit(f.Limit, 100, 500)
	if err != nil {
		return BreachPage{}, err
	}
	if !f.To.After(f.From) {
		return BreachPage{}, fmt.Errorf("workflow: breaches: %w", &inbox.ValidationError{Field: "to", Reason: "must be after from"})
	}
	if f.Target != "" && f.Target != sla.FirstResponse && f.Target != sla.NextResponse && f.Target != sla.Resolution {
		return BreachPage{}, fmt.Errorf("workflow: breaches: %w", &inbox.ValidationError{Field: "target",
			Reason: "must be first_response, next_response or resolution"})
	}
	var before *time.Time
	var beforeID int64
	if f.Cursor != "" {
		key, id, err := decodeKey(f.Cursor)
		if err != nil {
			return BreachPage{}, err
		}
		t := time.UnixMicro(key)
		before, beforeID = &t, id
	}
	rows, err := s.pool.Query(ctx, `SELECT b.id, b.conversation_id, b.target, b.policy_id, b.due_at,
			b.breached_at, b.met_at, coalesce(b.overdue_ms, (extract(epoch FROM $1::timestamptz - b.due_at) * 1000)::bigint),
			b.assignee_id, b.team_id, b.level
		FROM sla_breaches b
		WHERE b.breached_at >= $2 AND b.breached_at < $3 AND ($4::bigint IS NULL OR b.team_id = $4)
			AND ($5::timestamptz IS NULL OR (b.breached_at, b.id) < ($5, $6))
			AND ($8::bigint IS NULL OR b.policy_id = $8) AND ($9::bigint IS NULL OR b.assignee_id = $9)
			AND ($10::text = '' OR b.target = $10)
		ORDER BY b.breached_at DESC, b.id DESC LIMIT $7`,
		s.store.Now(), f.From, f.To, f.TeamID, before, beforeID, limit+1, f.PolicyID, f.AssigneeID, string(f.Target))
	if err != nil {
		return BreachPage{}, fmt.Errorf("workflow: breaches: %w", err)
	}
	defer rows.Close()
	page := BreachPage{Breaches: []Breach{}}
	for rows.Next() {
		var b Breach
		if err := rows.Scan(&b.ID, &b.ConversationID, &b.Target, &b.PolicyID, &b.DueAt, &b.BreachedAt,
			&b.MetAt, &b.OverdueMS, &b.AssigneeID, &b.TeamID, &b.Level); err != nil {
			return BreachPage{}, fmt.Errorf("workflow: breaches: %w", err)
		}
		page.Breaches = append(page.Breaches, b)
	}
	if err := rows.Err(); err != nil {
		return BreachPage{}, fmt.Errorf("workflow: breaches: %w", err)
	}
	if len(page.Breaches) > limit {
		page.Breaches = page.Breaches[:limit]
		last := page.Breaches[limit-1]
		page.Next = encodeKey(last.BreachedAt.UnixMicro(), last.ID)
	}
	ids := make([]int64, len(page.Breaches))
	for i, b := range page.Breaches {
		ids[i] = b.ConversationID
	}
	subjects, err := s.store.Subjects(ctx, ids)
	if err != nil {
		return BreachPage{}, fmt.Errorf("workflow: breaches: %w", err)
	}
	for i := range page.Breaches {
		page.Breaches[i].Subject = subjects[page.Breaches[i].ConversationID]
	}
	return page, nil
}
