package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Stage is where a complaint stands: received, acknowledged (the first response), in progress
// (an agent's reply or note after that), resolved, confirmed (rated by the customer through the
// survey of its current resolution).
type Stage string

// The stages of a complaint, in order.
const (
	StageReceived     Stage = "received"
	StageAcknowledged Stage = "acknowledged"
	StageInProgress   Stage = "in_progress"
	StageResolved     Stage = "resolved"
	StageConfirmed    Stage = "confirmed"
)

// Stages lists the stages in order.
func Stages() []Stage {
	return []Stage{StageReceived, StageAcknowledged, StageInProgress, StageResolved, StageConfirmed}
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages() {
		if s == x {
			return true
		}
	}
	return false
}

// StageTime is one stage a complaint reached: when, and how long it stayed there (until the next
// stage it reached, or until now for the stage it is in; nil for confirmed, which is final).
type StageTime struct {
	Stage  Stage     `json:"stage"`
	At     time.Time `json:"at"`
	TookMS *int64    `json:"took_ms,omitempty"`
}

// Complaint is one row of the complaint register: a conversation of a complaint category.
type Complaint struct {
	ConversationID int64          `json:"conversation_id"`
	Subject        string         `json:"subject"`
	ContactName    string         `json:"contact_name"`
	Category       string         `json:"category"`
	CategoryID     int64          `json:"category_id"`
	Status         inbox.Status   `json:"status"`
	Priority       inbox.Priority `json:"priority"`
	TeamID         *int64         `json:"team_id,omitempty"`
	AssigneeID     *int64         `json:"assignee_id,omitempty"`
	ReceivedAt     time.Time      `json:"received_at"`
	Stage          Stage          `json:"stage"`
	AgeMS          int64          `json:"age_ms"`
	Stages         []StageTime    `json:"stages"`
	// SLA is the state of its SLA clocks: none, on_track, at_risk, breached or met.
	SLA            string `json:"sla"`
	ResolutionCode string `json:"resolution_code,omitempty"`
	CSAT           *int   `json:"csat,omitempty"`
}

// ComplaintFilter selects complaints received in [From, To) (zero: unbounded), newest first.
type ComplaintFilter struct {
	From, To   time.Time
	Stage      Stage // "": any
	CategoryID int64 // 0: any complaint category; a parent takes its children
	TeamID     int64
	Priority   inbox.Priority
	// Cursor continues after the previous page's last complaint; Limit is 1-500, default 50.
	Cursor string
	Limit  int
}

// ComplaintPage is one page of the register; Next is empty on the last page.
type ComplaintPage struct {
	Complaints []Complaint `json:"complaints"`
	Next       string      `json:"next_cursor,omitempty"`
}

// complaintStageSQL is each stage's condition over the register's row (c the conversation, ip
// its first agent message after the first response, sv its confirming survey).
var complaintStageSQL = map[Stage]string{
	StageReceived:     `c.first_response_at IS NULL AND c.resolved_at IS NULL`,
	StageAcknowledged: `c.first_response_at IS NOT NULL AND ip.at IS NULL AND c.resolved_at IS NULL`,
	StageInProgress:   `ip.at IS NOT NULL AND c.resolved_at IS NULL`,
	StageResolved:     `c.resolved_at IS NOT NULL AND sv.confirmed_at IS NULL`,
	StageConfirmed:    `c.resolved_at IS NOT NULL AND sv.confirmed_at IS NOT NULL`,
}

// Complaints is the complaint register: the conversations of complaint categories with their
// stage, the time each stage took, SLA state, resolution code and CSAT, in keyset pages,
// newest first. It is the supervisors' read (every team's): workflow reads the conversations,
// messages, categories and surveys here read-only, beside its own SLA clocks and breaches,
// in one statement per page. A bad filter or cursor is an *inbox.ValidationError.
func (s *SLA) Complaints(ctx context.Context, f ComplaintFilter) (ComplaintPage, error) {
	limit, err := pageLimit(f.Limit, 50, 500)
	if err != nil {
		return ComplaintPage{}, err
	}
	if f.Stage != "" && !f.Stage.Valid() {
		return ComplaintPage{}, fmt.Errorf("workflow: complaints: %w", &inbox.ValidationError{Field: "stage",
			Reason: "must be received, acknowledged, in_progress, resolved or confirmed"})
	}
	if f.Priority != "" && !f.Priority.Valid() {
		return ComplaintPage{}, fmt.Errorf("workflow: complaints: %w", &inbox.ValidationError{Field: "priority",
			Reason: "must be low, normal, high or urgent"})
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return ComplaintPage{}, fmt.Errorf("workflow: complaints: %w", &inbox.ValidationError{Field: "to", Reason: "must be after from"})
	}
	var before *time.Time
	var beforeID int64
	if f.Cursor != "" {
		key, id, err := decodeKey(f.Cursor)
		if err != nil {
			return ComplaintPage{}, err
		}
		t := time.UnixMicro(key)
		before, beforeID = &t, id
	}
	stage := "true"
	if f.Stage != "" {
		stage = complaintStageSQL[f.Stage]
	}
	now := s.store.Now()
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.subject, coalesce(ct.name, ''), c.category, c.category_id, c.status,
			c.priority, c.team_id, c.assignee_id, c.created_at, c.first_response_at, ip.at, c.resolved_at,
			sv.confirmed_at, sv.score, coalesce(rc.name, ''),
			CASE WHEN sl.breached THEN 'breached' WHEN sl.at_risk THEN 'at_risk' WHEN sl.running THEN 'on_track'
				WHEN sl.clocks > 0 THEN 'met' ELSE 'none' END
		FROM conversations c
		JOIN categories k ON k.id = c.category_id AND k.complaint
		LEFT JOIN contacts ct ON ct.id = c.contact_id
		LEFT JOIN resolution_codes rc ON rc.id = c.resolution_code_id
		LEFT JOIN LATERAL (SELECT min(m.created_at) AS at FROM messages m WHERE m.conversation_id = c.id
			AND m.direction IN ('outbound', 'note') AND m.author_agent_id IS NOT NULL
			AND m.created_at > c.first_response_at) ip ON true
		LEFT JOIN LATERAL (SELECT max(v.answered_at) FILTER (WHERE v.resolved_at = c.resolved_at) AS confirmed_at,
			(array_agg(v.score ORDER BY v.answered_at DESC))[1] AS score
			FROM surveys v WHERE v.conversation_id = c.id AND v.answered_at IS NOT NULL) sv ON true
		LEFT JOIN LATERAL (SELECT count(*) AS clocks,
				bool_or(k2.breached_at IS NOT NULL) OR EXISTS (SELECT 1 FROM sla_breaches b WHERE b.conversation_id = c.id) AS breached,
				bool_or(k2.state = 'running' AND k2.warn_at <= $1) AS at_risk,
				bool_or(k2.state IN ('running', 'paused')) AS running
			FROM sla_clocks k2 WHERE k2.conversation_id = c.id) sl ON true
		WHERE c.category_id IS NOT NULL
			AND ($2::timestamptz IS NULL OR c.created_at >= $2) AND ($3::timestamptz IS NULL OR c.created_at < $3)
			AND ($4::bigint = 0 OR k.id = $4 OR k.parent_id = $4)
			AND ($5::bigint = 0 OR c.team_id = $5)
			AND ($6::text = '' OR c.priority = $6)
			AND ($7::timestamptz IS NULL OR (c.created_at, c.id) < ($7, $8))
			AND `+stage+`
		ORDER BY c.created_at DESC, c.id DESC LIMIT $9`,
		now, zeroTime(f.From), zeroTime(f.To), f.CategoryID, f.TeamID, string(f.Priority), before, beforeID, limit+1)
	if err != nil {
		return ComplaintPage{}, fmt.Errorf("workflow: complaints: %w", err)
	}
	page := ComplaintPage{Complaints: []Complaint{}}
	var ack, progress, resolved, confirmed *time.Time
	var score *int16
	var cp Complaint
	if _, err := pgx.ForEachRow(rows, []any{&cp.ConversationID, &cp.Subject, &cp.ContactName, &cp.Category, &cp.CategoryID,
		&cp.Status, &cp.Priority, &cp.TeamID, &cp.AssigneeID, &cp.ReceivedAt, &ack, &progress, &resolved, &confirmed,
		&score, &cp.ResolutionCode, &cp.SLA}, func() error {
		c := cp
		c.CSAT = nil
		if score != nil {
			v := int(*score)
			c.CSAT = &v
		}
		c.Stages = complaintStages(now, c.ReceivedAt, ack, progress, resolved, confirmed)
		c.Stage = c.Stages[len(c.Stages)-1].Stage
		c.AgeMS = now.Sub(c.ReceivedAt).Milliseconds()
		page.Complaints = append(page.Complaints, c)
		return nil
	}); err != nil {
		return ComplaintPage{}, fmt.Errorf("workflow: complaints: %w", err)
	}
	if len(page.Complaints) > limit {
		page.Complaints = page.Complaints[:limit]
		last := page.Complaints[limit-1]
		page.Next = encodeKey(last.ReceivedAt.UnixMicro(), last.ConversationID)
	}
	return page, nil
}

// complaintStages lists the stages reached, in order, each with how long it lasted: until the
// next stage reached, or until now for the current one (confirmed, final, has no duration). A
// stage skipped (resolved without a first response) is left out; an open complaint never
// shows the confirmation of an earlier resolution.
func complaintStages(now, received time.Time, ack, progress, resolved, confirmed *time.Time) []StageTime {
	out := []StageTime{{Stage: StageReceived, At: received}}
	add := func(s Stage, at *time.Time) {
		if at != nil {
			out = append(out, StageTime{Stage: s, At: *at})
		}
	}
	if resolved == nil {
		add(StageAcknowledged, ack)
		add(StageInProgress, progress)
	} else {
		if ack != nil && !ack.After(*resolved) {
			add(StageAcknowledged, ack)
		}
		if progress != nil && !progress.After(*resolved) {
			add(StageInProgress, progress)
		}
		add(StageResolved, resolved)
		add(StageConfirmed, confirmed)
	}
	for i := range out {
		if out[i].Stage == StageConfirmed {
			break
		}
		end := now
		if i+1 < len(out) {
			end = out[i+1].At
		}
		ms := end.Sub(out[i].At).Milliseconds()
		out[i].TookMS = &ms
	}
	return out
}

// zeroTime is t, or nil (SQL NULL) when t is the zero time.
func zeroTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
