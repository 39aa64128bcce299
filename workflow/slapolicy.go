package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// Policy is an SLA policy: targets in business time on a calendar, for the conversations of a
// customer tier (empty: any), a team (nil: any) and a priority (empty: any). The most specific
// policy wins: one with a tier before one without, then one with a team, then one with a
// priority.
type Policy struct {
	ID       int64          `json:"id"`
	Name     string         `json:"name"`
	TeamID   *int64         `json:"team_id,omitempty"`
	Priority inbox.Priority `json:"priority,omitempty"`
	// Tier is the customer tier the policy is for: the contact's own tier, else their company's,
	// as it is whenever the conversation's clocks are planned.
	Tier string `json:"tier,omitempty"`
	// Targets; zero means the policy sets none.
	FirstResponse time.Duration `json:"-"`
	NextResponse  time.Duration `json:"-"`
	Resolution    time.Duration `json:"-"`
	Calendar      sla.Calendar  `json:"calendar"`
	// PausePending stops the clocks while the conversation waits on the customer.
	PausePending bool `json:"pause_pending"`
	// WarnAt is the share of a target after which a warning fires, in (0, 1).
	WarnAt         float64               `json:"warn_at"`
	EscalateTeamID *int64                `json:"escalate_team_id,omitempty"`
	Levels         []sla.EscalationLevel `json:"levels"`
	CreatedAt      time.Time             `json:"created_at"`
}

// MarshalJSON shows the targets in seconds.
func (p Policy) MarshalJSON() ([]byte, error) {
	type plain Policy
	secs := func(d time.Duration) *int64 {
		if d <= 0 {
			return nil
		}
		s := int64(d / time.Second)
		return &s
	}
	return json.Marshal(struct {
		plain
		FirstResponse *int64 `json:"first_response_secs"`
		NextResponse  *int64 `json:"next_response_secs,omitempty"`
		Resolution    *int64 `json:"resolution_secs,omitempty"`
	}{plain(p), secs(p.FirstResponse), secs(p.NextResponse), secs(p.Resolution)})
}

// terms returns what the policy sets for the clocks of the conversations it covers.
func (p Policy) terms() sla.Terms {
	return sla.Terms{Calendar: p.Calendar, FirstResponse: p.FirstResponse, NextResponse: p.NextResponse,
		Resolution: p.Resolution, PausePending: p.PausePending, WarnAt: p.WarnAt}
}

// NewPolicy is the input of SLA.CreatePolicy.
type NewPolicy struct {
	Name     string
	TeamID   int64 // 0: any team
	Priority inbox.Priority
	// Tier is the customer tier ("gold"); empty: any. Stored trimmed and lower-cased.
	Tier string
	// FirstResponse is required; NextResponse and Resolution are optional (0: none).
	FirstResponse, NextResponse, Resolution time.Duration
	Calendar                                sla.Calendar
	// PausePending defaults to true when nil.
	PausePending *bool
	// WarnAt defaults to 0.8.
	WarnAt         float64
	EscalateTeamID int64
	// Levels defaults to sla.DefaultLevels(EscalateAfter), EscalateAfter to 30 minutes.
	Levels        []sla.EscalationLevel
	EscalateAfter time.Duration
}

// policy checks n and returns the policy it describes. It fails with an *inbox.ValidationError.
func (n NewPolicy) policy() (Policy, error) {
	p := Policy{Name: strings.TrimSpace(n.Name), Priority: n.Priority, Tier: strings.ToLower(strings.TrimSpace(n.Tier)), FirstResponse: n.FirstResponse,
		NextResponse: n.NextResponse, Resolution: n.Resolution, Calendar: n.Calendar, PausePending: true,
		WarnAt: n.WarnAt, Levels: n.Levels}
	if n.PausePending != nil {
		p.PausePending = *n.PausePending
	}
	if p.WarnAt == 0 {
		p.WarnAt = 0.8
	}
	if n.TeamID != 0 {
		p.TeamID = &n.TeamID
	}
	if n.EscalateTeamID != 0 {
		p.EscalateTeamID = &n.EscalateTeamID
	}
	if p.Levels == nil {
		after := n.EscalateAfter
		if after == 0 {
			after = 30 * time.Minute
		}
		p.Levels = sla.DefaultLevels(after)
	}
	bad := func(field, format string, args ...any) error {
		return &inbox.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case p.Name == "":
		return p, bad("name", "is required")
	case p.Priority != "" && !p.Priority.Valid():
		return p, bad("priority", "must be low, normal, high or urgent, not %q", p.Priority)
	case len(p.Tier) > 50:
		return p, bad("tier", "at most 50 characters")
	case p.FirstResponse < time.Second:
		return p, bad("first_response", "is required: at least 1s")
	case n.NextResponse != 0 && n.NextResponse < time.Second:
		return p, bad("next_response", "must be at least 1s")
	case n.Resolution != 0 && n.Resolution < time.Second:
		return p, bad("resolution", "must be at least 1s")
	case !(p.WarnAt > 0 && p.WarnAt < 1):
		return p, bad("warn_at", "must lie between 0 and 1, such as 0.8")
	case len(p.Levels) == 0 || p.Levels[0].AfterSecs != 0:
		return p, bad("levels", "the first level applies at the breach: its after_secs must be 0")
	case n.EscalateAfter < 0:
		return p, bad("escalate_after", "must not be negative")
	}
	for i, l := range p.Levels {
		if l.AfterSecs < 0 || i > 0 && l.AfterSecs < p.Levels[i-1].AfterSecs {
			return p, bad("levels", "after_secs must be non-negative and grow from level to level")
		}
	}
	if err := p.Calendar.Validate(); err != nil {
		return p, bad("calendar", "%v", err)
	}
	return p, nil
}

// policyCols are the columns scanPolicy reads, of sla_policies aliased p.
const policyCols = `p.id, p.name, p.team_id, coalesce(p.priority, ''), p.first_response_secs,
	coalesce(p.next_response_secs, 0), coalesce(p.resolution_secs, 0), p.calendar, p.pause_pending, p.warn_at,
	p.escalate_team_id, p.levels, p.created_at, coalesce(p.tier, '')`

func scanPolicy(row pgx.Row) (Policy, error) {
	var p Policy
	var first, next, res int64
	var cal, levels []byte
	err := row.Scan(&p.ID, &p.Name, &p.TeamID, &p.Priority, &first, &next, &res, &cal, &p.PausePending,
		&p.WarnAt, &p.EscalateTeamID, &levels, &p.CreatedAt, &p.Tier)
	if err != nil {
		return p, err
	}
	p.FirstResponse, p.NextResponse, p.Resolution = time.Duration(first)*time.Second,
		time.Duration(next)*time.Second, time.Duration(res)*time.Second
	if err := json.Unmarshal(cal, &p.Calendar); err != nil {
		return p, fmt.Errorf("policy %d calendar: %w", p.ID, err)
	}
	if err := json.Unmarshal(levels, &p.Levels); err != nil {
		return p, fmt.Errorf("policy %d levels: %w", p.ID, err)
	}
	return p, nil
}

// insertPolicy stores p. A taken name or team-and-priority pair is inbox.ErrConflict; an
// unknown team an *inbox.ValidationError.
func insertPolicy(ctx context.Context, db querier, p Policy, now time.Time) (Policy, error) {
	vals, err := policyValues(p)
	if err != nil {
		return p, err
	}
	out, err := scanPolicy(db.QueryRow(ctx, `INSERT INTO sla_policies AS p (name, team_id, priority, first_response_secs,
			next_response_secs, resolution_secs, calendar, pause_pending, warn_at, escalate_team_id, levels, tier, created_at)
		VALUES ($1, $2, nullif($3, ''), $4, $5, $6, $7, $8, $9, $10, $11, nullif($12, ''), $13) RETURNING `+policyCols,
		append(vals, now)...))
	return out, policyErr(p, err)
}

// policyValues are p's column values in the order name, team_id, priority, first_response_secs,
// next_response_secs, resolution_secs, calendar, pause_pending, warn_at, escalate_team_id,
// levels, tier (an empty priority or tier stands for none: nullif in the statements).
func policyValues(p Policy) ([]any, error) {
	cal, err := json.Marshal(p.Calendar)
	if err != nil {
		return nil, fmt.Errorf("workflow: policy: calendar: %w", err)
	}
	levels, err := json.Marshal(p.Levels)
	if err != nil {
		return nil, fmt.Errorf("workflow: policy: levels: %w", err)
	}
	secs := func(d time.Duration) *int64 {
		if d == 0 {
			return nil
		}
		s := int64(d / time.Second)
		return &s
	}
	return []any{p.Name, p.TeamID, string(p.Priority), int64(p.FirstResponse / time.Second), secs(p.NextResponse),
		secs(p.Resolution), cal, p.PausePending, p.WarnAt, p.EscalateTeamID, levels, p.Tier}, nil
}

// policyErr words a failed store of p: a taken name or tier-team-priority is inbox.ErrConflict,
// an unknown team an *inbox.ValidationError.
func policyErr(p Policy, err error) error {
	var pg *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pg) && pg.Code == "23505":
		return fmt.Errorf("workflow: policy %q: a policy with this name, or for this tier, team and priority, exists: %w", p.Name, inbox.ErrConflict)
	case errors.As(err, &pg) && pg.Code == "23503":
		return fmt.Errorf("workflow: policy: %w", &inbox.ValidationError{Field: "team", Reason: "names a team that does not exist"})
	}
	return fmt.Errorf("workflow: policy %q: %w", p.Name, err)
}

// querier is what both a pool and a transaction offer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}
