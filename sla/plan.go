package sla

import "time"

// State is where a conversation's clock for one target stands. Its text is what the
// database stores.
type State string

// The states of a clock.
const (
	// Running counts towards the due instant.
	Running State = "running"
	// Paused is stopped for now (the conversation is pending): no due instant until it runs
	// again.
	Paused State = "paused"
	// Met means the target was met.
	Met State = "met"
	// Stopped is no longer measured: resolved unanswered, or no policy sets the target.
	Stopped State = "stopped"
)

// PauseReason says why a conversation's clocks stand still. Its text is what the database
// stores.
type PauseReason string

// The reasons a clock stands still.
const (
	// PendingPause: the conversation waits on the customer. It stops the clocks only when the
	// Terms say so.
	PendingPause PauseReason = "pending"
	// ResolvedPause: the conversation is resolved or closed. It stops every clock.
	ResolvedPause PauseReason = "resolved"
)

// StatusPause is a stretch a conversation spent pending or resolved.
type StatusPause struct {
	Pause
	Reason PauseReason
}

// StatusChange is one entry of a conversation's status history, as the clocks see it: from
// At on, the clocks stand still for Reason, or run again when Reason is empty.
type StatusChange struct {
	Reason PauseReason
	At     time.Time
}

// PausesFrom turns a status history, oldest first, into the stretches spent pending or
// resolved. A resolved stretch that goes on into closed is one stretch (closed counts as
// resolved: it never ends). The last stretch may be open-ended.
func PausesFrom(history []StatusChange) []StatusPause {
	var out []StatusPause
	open := -1
	for _, ch := range history {
		if open >= 0 && out[open].Reason == ch.Reason {
			continue // resolved -> closed: still the same stretch
		}
		if open >= 0 {
			out[open].End = ch.At
			open = -1
		}
		if ch.Reason != "" {
			out = append(out, StatusPause{Pause: Pause{Start: ch.At}, Reason: ch.Reason})
			open = len(out) - 1
		}
	}
	return out
}

// Terms are what an SLA policy sets for the clocks of the conversations it covers.
type Terms struct {
	// Calendar holds the business hours the clocks run in.
	Calendar Calendar
	// FirstResponse, NextResponse and Resolution are the business time each target allows;
	// zero sets no such target.
	FirstResponse, NextResponse, Resolution time.Duration
	// PausePending stops the clocks while the conversation waits on the customer.
	PausePending bool
	// WarnAt is the share of a target after which a warning fires, in (0, 1].
	WarnAt float64
}

// Allowed returns the business time the terms allow for t; zero when they set no such target.
func (m Terms) Allowed(t Target) time.Duration {
	switch t {
	case FirstResponse:
		return m.FirstResponse
	case NextResponse:
		return m.NextResponse
	case Resolution:
		return m.Resolution
	}
	return 0
}

// Facts are what one conversation's clocks are computed from. Zero times mean "none".
type Facts struct {
	// Resolved reports that the conversation is resolved or closed: its clocks no longer run.
	Resolved bool
	// CreatedAt is when the conversation started; FirstResponseAt its first public reply of a
	// human agent; ResolvedAt and ClosedAt when it was resolved and closed.
	CreatedAt       time.Time
	FirstResponseAt time.Time
	ResolvedAt      time.Time
	ClosedAt        time.Time
	// LastReplyAt is the latest public reply of a human agent; WaitingSince the first
	// customer message after it (a next-response cycle running).
	LastReplyAt  time.Time
	WaitingSince time.Time
	// CycleStart is the stored next-response cycle's start, and CycleReplyAt the first agent
	// reply at or after it (the cycle's end).
	CycleStart   time.Time
	CycleReplyAt time.Time
	// Pauses are the stretches the conversation spent pending or resolved (PausesFrom).
	Pauses []StatusPause
}

// Plan is what the clock of one target should be now.
type Plan struct {
	Target Target
	State  State
	Start  time.Time
	Due    time.Time // Running only
	Warn   time.Time // Running only
	MetAt  time.Time // Met only
}

// PlanClocks computes the clocks the terms set for a conversation: one Plan per target the
// terms set that has started, first response first. Every instant comes from f: the plan does
// not depend on when it is computed. Due and warning instants are truncated to microseconds,
// as the database stores them. The error wraps ErrInvalidClock (an invalid calendar or warning
// share).
func PlanClocks(m Terms, f Facts) ([]Plan, error) {
	active := !f.Resolved
	var pauses []Pause
	for _, sp := range f.Pauses {
		if sp.Reason == ResolvedPause || m.PausePending {
			pauses = append(pauses, sp.Pause)
		}
	}
	plan := func(t Target, start, metAt time.Time) (Plan, error) {
		c := Plan{Target: t, Start: start}
		switch {
		case !metAt.IsZero():
			c.State, c.MetAt = Met, metAt
			return c, nil
		case !active:
			c.State = Stopped
			return c, nil
		}
		k := Clock{Calendar: m.Calendar, Target: m.Allowed(t), Start: start, Pauses: pauses}
		due, ok, err := k.Due()
		if err != nil {
			return c, err
		}
		if !ok {
			c.State = Paused
			return c, nil
		}
		warn, _, err := k.Warning(m.WarnAt)
		if err != nil {
			return c, err
		}
		c.State, c.Due, c.Warn = Running, due.Truncate(time.Microsecond), warn.Truncate(time.Microsecond)
		return c, nil
	}
	var out []Plan
	add := func(t Target, start, metAt time.Time) error {
		if m.Allowed(t) <= 0 || start.IsZero() {
			return nil
		}
		c, err := plan(t, start, metAt)
		out = append(out, c)
		return err
	}
	if err := add(FirstResponse, f.CreatedAt, f.FirstResponseAt); err != nil {
		return nil, err
	}
	switch {
	case f.LastReplyAt.IsZero():
	case !f.WaitingSince.IsZero():
		if err := add(NextResponse, f.WaitingSince, time.Time{}); err != nil {
			return nil, err
		}
	case !f.CycleStart.IsZero() && !f.CycleReplyAt.IsZero():
		if err := add(NextResponse, f.CycleStart, f.CycleReplyAt); err != nil {
			return nil, err
		}
	}
	var resolved time.Time
	if !active {
		resolved = f.ResolvedAt
		if resolved.IsZero() {
			resolved = f.ClosedAt // closed straight from open: it ended then
		}
	}
	if err := add(Resolution, f.CreatedAt, resolved); err != nil {
		return nil, err
	}
	return out, nil
}
