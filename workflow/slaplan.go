package workflow

import (
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Clock states, as stored in sla_clocks.state.
const (
	clockRunning = "running" // counting towards due_at
	clockPaused  = "paused"  // stopped for now (pending), no due instant until it runs again
	clockMet     = "met"     // the target was met at met_at
	clockStopped = "stopped" // no longer measured: resolved unanswered, or no policy sets it
)

// Pause reasons, as stored in sla_pauses.reason.
const (
	pauseForPending  = "pending"
	pauseForResolved = "resolved"
)

// statusPause is a stretch a conversation spent pending or resolved.
type statusPause struct {
	Pause
	reason string
}

// statusChange is one entry of a conversation's status history.
type statusChange struct {
	to inbox.Status
	at time.Time
}

// pausesFrom turns a status history, oldest first, into the stretches spent pending or
// resolved (closed counts as resolved: it never ends). The last one may be open-ended.
func pausesFrom(history []statusChange) []statusPause {
	var out []statusPause
	open := -1
	for _, ch := range history {
		reason := ""
		switch ch.to {
		case inbox.StatusPending:
			reason = pauseForPending
		case inbox.StatusResolved, inbox.StatusClosed:
			reason = pauseForResolved
		}
		if open >= 0 && out[open].reason == reason {
			continue // resolved -> closed: still the same stretch
		}
		if open >= 0 {
			out[open].End = ch.at
			open = -1
		}
		if reason != "" {
			out = append(out, statusPause{Pause: Pause{Start: ch.at}, reason: reason})
			open = len(out) - 1
		}
	}
	return out
}

// convFacts is what one conversation's clocks are computed from. Zero times mean "none".
type convFacts struct {
	status          inbox.Status
	createdAt       time.Time
	firstResponseAt time.Time
	resolvedAt      time.Time
	closedAt        time.Time
	// lastReplyAt is the latest public reply of a human agent; waitingSince the first customer
	// message after it (a next-response cycle running).
	lastReplyAt  time.Time
	waitingSince time.Time
	// cycleStart is the stored next-response cycle's start, and cycleReplyAt the first agent
	// reply at or after it (the cycle's end).
	cycleStart   time.Time
	cycleReplyAt time.Time
	pauses       []statusPause
}

// clockPlan is what a clock should be now.
type clockPlan struct {
	target Target
	state  string
	start  time.Time
	due    time.Time // running only
	warn   time.Time // running only
	metAt  time.Time // met only
}

// planClocks computes the clocks a policy sets for a conversation. Every instant comes from f:
// the plan does not depend on when it is computed.
func planClocks(p Policy, f convFacts) ([]clockPlan, error) {
	active := f.status == inbox.StatusNew || f.status == inbox.StatusOpen || f.status == inbox.StatusPending
	var pauses []Pause
	for _, sp := range f.pauses {
		if sp.reason == pauseForResolved || p.PausePending {
			pauses = append(pauses, sp.Pause)
		}
	}
	plan := func(t Target, start, metAt time.Time) (clockPlan, error) {
		c := clockPlan{target: t, start: start}
		switch {
		case !metAt.IsZero():
			c.state, c.metAt = clockMet, metAt
			return c, nil
		case !active:
			c.state = clockStopped
			return c, nil
		}
		k := SLAClock{Calendar: p.Calendar, Target: p.target(t), Start: start, Pauses: pauses}
		due, ok, err := k.Due()
		if err != nil {
			return c, err
		}
		if !ok {
			c.state = clockPaused
			return c, nil
		}
		warn, _, err := k.Warning(p.WarnAt)
		if err != nil {
			return c, err
		}
		c.state, c.due, c.warn = clockRunning, due.Truncate(time.Microsecond), warn.Truncate(time.Microsecond)
		return c, nil
	}
	var out []clockPlan
	add := func(t Target, start, metAt time.Time) error {
		if p.target(t) <= 0 || start.IsZero() {
			return nil
		}
		c, err := plan(t, start, metAt)
		out = append(out, c)
		return err
	}
	if err := add(TargetFirstResponse, f.createdAt, f.firstResponseAt); err != nil {
		return nil, err
	}
	switch {
	case f.lastReplyAt.IsZero():
	case !f.waitingSince.IsZero():
		if err := add(TargetNextResponse, f.waitingSince, time.Time{}); err != nil {
			return nil, err
		}
	case !f.cycleStart.IsZero() && !f.cycleReplyAt.IsZero():
		if err := add(TargetNextResponse, f.cycleStart, f.cycleReplyAt); err != nil {
			return nil, err
		}
	}
	var resolved time.Time
	if !active {
		resolved = f.resolvedAt
		if resolved.IsZero() {
			resolved = f.closedAt // closed straight from open: it ended then
		}
	}
	if err := add(TargetResolution, f.createdAt, resolved); err != nil {
		return nil, err
	}
	return out, nil
}
