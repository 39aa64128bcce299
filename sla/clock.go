package sla

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrInvalidClock is wrapped by the errors of Clock.Validate and of the Clock methods, which
// validate first.
var ErrInvalidClock = errors.New("invalid SLA clock")

// Pause is a stretch during which an SLA clock stands still, typically while a conversation
// is pending on the customer. A zero End means the clock is still paused.
type Pause struct {
	Start time.Time
	End   time.Time
}

// Clock measures one SLA target of one conversation (first response, next response or
// resolution) in business time: it runs from Start while its Calendar is open, except
// during Pauses, until Target has elapsed. It is plain data; every method is a pure
// function of it and of the instants passed in, and validates the clock first.
type Clock struct {
	// Calendar holds the business hours the clock runs in.
	Calendar Calendar
	// Target is the business time allowed, such as 4h for a first response.
	Target time.Duration
	// Start is when the clock started, such as the conversation's first message.
	Start time.Time
	// Pauses may come in any order and overlap; pauses before Start are cut at Start. At
	// most one is open-ended, and it must start last.
	Pauses []Pause
}

// Status is a Clock's reading at one instant.
type Status struct {
	// Elapsed is the business time run so far, pauses excluded.
	Elapsed time.Duration
	// Remaining is Target minus Elapsed: negative once the target is missed.
	Remaining time.Duration
	// Paused reports whether a pause covers the instant.
	Paused bool
	// Breached reports whether the whole Target has elapsed.
	Breached bool
}

// Validate reports whether the calendar is valid, the target positive, the start set and
// the pauses well formed. The error wraps ErrInvalidClock.
func (k Clock) Validate() error {
	if err := k.Calendar.Validate(); err != nil {
		return fmt.Errorf("sla: clock: %w: %w", ErrInvalidClock, err)
	}
	if k.Target <= 0 {
		return fmt.Errorf("sla: clock: %w: target %s is not positive", ErrInvalidClock, k.Target)
	}
	if k.Start.IsZero() {
		return fmt.Errorf("sla: clock: %w: no start", ErrInvalidClock)
	}
	var open *Pause
	for i, p := range k.Pauses {
		switch {
		case p.Start.IsZero():
			return fmt.Errorf("sla: clock: %w: pause %d has no start", ErrInvalidClock, i)
		case !p.End.IsZero() && p.End.Before(p.Start):
			return fmt.Errorf("sla: clock: %w: pause %d ends before it starts", ErrInvalidClock, i)
		case p.End.IsZero() && open != nil:
			return fmt.Errorf("sla: clock: %w: pause %d is a second open-ended pause", ErrInvalidClock, i)
		case p.End.IsZero():
			open = &k.Pauses[i]
		}
	}
	for i, p := range k.Pauses {
		if open != nil && p.Start.After(open.Start) {
			return fmt.Errorf("sla: clock: %w: pause %d starts after the open-ended pause", ErrInvalidClock, i)
		}
	}
	return nil
}

// Due returns the instant at which the target is used up. If the clock is paused for good
// before then (an open-ended pause), it returns false: there is no due instant until the
// pause ends. Pauses that start after the target was used up change nothing.
func (k Clock) Due() (time.Time, bool, error) {
	if err := k.Validate(); err != nil {
		return time.Time{}, false, err
	}
	return k.reach(k.Target)
}

// Warning returns the instant at which share of the target has elapsed, such as 0.8 for a
// warning at 80%, and false while paused for good before then, as Due does. A share
// outside (0, 1] is an error wrapping ErrInvalidClock.
func (k Clock) Warning(share float64) (time.Time, bool, error) {
	if err := k.Validate(); err != nil {
		return time.Time{}, false, err
	}
	if !(share > 0 && share <= 1) {
		return time.Time{}, false, fmt.Errorf("sla: clock: %w: warning share %v is outside (0, 1]", ErrInvalidClock, share)
	}
	return k.reach(time.Duration(float64(k.Target) * share))
}

// At returns the clock's reading at now. Pauses and business time after now are ignored;
// before Start nothing has elapsed.
func (k Clock) At(now time.Time) (Status, error) {
	if err := k.Validate(); err != nil {
		return Status{}, err
	}
	var st Status
	run := k.Start
	for _, p := range k.pauses() {
		if p.Start.After(now) {
			break
		}
		st.Elapsed += k.Calendar.Between(run, p.Start)
		if p.End.IsZero() || now.Before(p.End) {
			st.Paused = true
			break
		}
		run = p.End
	}
	if !st.Paused && now.After(run) {
		st.Elapsed += k.Calendar.Between(run, now)
	}
	st.Remaining = k.Target - st.Elapsed
	st.Breached = st.Remaining <= 0
	return st, nil
}

// reach returns the instant at which d of running business time has elapsed.
func (k Clock) reach(d time.Duration) (time.Time, bool, error) {
	run := k.Start
	for _, p := range k.pauses() {
		if at := k.Calendar.Add(run, d); !at.After(p.Start) {
			return at, true, nil
		}
		d -= k.Calendar.Between(run, p.Start)
		if p.End.IsZero() {
			return time.Time{}, false, nil
		}
		run = p.End
	}
	return k.Calendar.Add(run, d), true, nil
}

// pauses returns the pauses cut at Start, sorted and merged where they touch or overlap, so
// that each starts after the previous one ends; an open-ended pause comes last.
func (k Clock) pauses() []Pause {
	var out []Pause
	for _, p := range k.Pauses {
		if !p.End.IsZero() && !p.End.After(k.Start) {
			continue
		}
		if p.Start.Before(k.Start) {
			p.Start = k.Start
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Pause) int { return a.Start.Compare(b.Start) })
	merged := out[:0]
	for _, p := range out {
		last := len(merged) - 1
		if last < 0 || !merged[last].End.IsZero() && p.Start.After(merged[last].End) {
			merged = append(merged, p)
			continue
		}
		// p starts inside the last pause: extend it, unless that one never ends.
		if !merged[last].End.IsZero() && (p.End.IsZero() || p.End.After(merged[last].End)) {
			merged[last].End = p.End
		}
	}
	return merged
}
