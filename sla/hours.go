package sla

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// dayNames are the weekday names ParseHours reads, Sunday first as time.Weekday counts.
var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseHours reads business hours written the way people say them, one spec per string:
// days, a space, then shifts separated by commas, such as "mon-fri 09:00-17:00",
// "sat 10:00-14:00" or "mon,wed 08:00-12:00,13:00-17:00". Day ranges may wrap ("fri-mon").
// Shifts of one day are sorted; Calendar.Validate then refuses overlaps. The error wraps
// ErrInvalidCalendar.
func ParseHours(specs []string) (Week, error) {
	var w Week
	for _, spec := range specs {
		days, shifts, ok := strings.Cut(strings.TrimSpace(spec), " ")
		if !ok {
			return w, fmt.Errorf("sla: hours %q: %w: want days and shifts, such as \"mon-fri 09:00-17:00\"", spec, ErrInvalidCalendar)
		}
		ds, err := parseDays(days)
		if err != nil {
			return w, fmt.Errorf("sla: hours %q: %w", spec, err)
		}
		for _, s := range strings.Split(strings.ReplaceAll(shifts, " ", ""), ",") {
			sh, err := ParseShift(s)
			if err != nil {
				return w, err
			}
			for _, d := range ds {
				w[d] = append(w[d], sh)
			}
		}
	}
	for d := range w {
		slices.SortFunc(w[d], func(a, b Shift) int { return int(a.Start - b.Start) })
	}
	return w, nil
}

// parseDays reads "mon-fri", "sat", "mon,wed,fri" or "fri-mon".
func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, okA := dayIndex(from)
		b, okB := a, true
		if isRange {
			b, okB = dayIndex(to)
		}
		if !okA || !okB {
			return nil, fmt.Errorf("%w: unknown day in %q (use mon, tue, wed, thu, fri, sat, sun)", ErrInvalidCalendar, part)
		}
		for d := a; ; d = (d + 1) % 7 {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func dayIndex(s string) (time.Weekday, bool) {
	i := slices.Index(dayNames[:], strings.TrimSpace(s))
	return time.Weekday(i), i >= 0
}

// Week holds the shifts of each weekday, indexed by time.Weekday, in order and without
// overlaps. Its JSON form is an object with the keys "mon" to "sun", each an array of
// shift strings; days without shifts are left out.
type Week [7][]Shift

type calWeekJSON struct {
	Mon []Shift `json:"mon,omitempty"`
	Tue []Shift `json:"tue,omitempty"`
	Wed []Shift `json:"wed,omitempty"`
	Thu []Shift `json:"thu,omitempty"`
	Fri []Shift `json:"fri,omitempty"`
	Sat []Shift `json:"sat,omitempty"`
	Sun []Shift `json:"sun,omitempty"`
}

// MarshalJSON encodes the week as an object keyed by day.
func (w Week) MarshalJSON() ([]byte, error) {
	return json.Marshal(calWeekJSON{Mon: w[time.Monday], Tue: w[time.Tuesday],
		Wed: w[time.Wednesday], Thu: w[time.Thursday], Fri: w[time.Friday],
		Sat: w[time.Saturday], Sun: w[time.Sunday]})
}

// UnmarshalJSON decodes an object keyed by day; an unknown key is an error.
func (w *Week) UnmarshalJSON(b []byte) error {
	var j calWeekJSON
	if err := calDecodeStrict(b, &j); err != nil {
		return fmt.Errorf("sla: week: %w", err)
	}
	*w = Week{time.Sunday: j.Sun, time.Monday: j.Mon, time.Tuesday: j.Tue,
		time.Wednesday: j.Wed, time.Thursday: j.Thu, time.Friday: j.Fri, time.Saturday: j.Sat}
	return nil
}

// Shift is one opening of a day in local wall-clock time, from Start (open) to End (closed),
// as offsets from midnight. Its text form is "09:00-17:30"; "24:00" ends a shift at midnight.
type Shift struct {
	Start time.Duration
	End   time.Duration
}

// ParseShift parses "HH:MM-HH:MM". It checks the form only; Calendar.Validate checks the
// order. The error wraps ErrInvalidCalendar.
func ParseShift(s string) (Shift, error) {
	from, to, ok := strings.Cut(s, "-")
	start, okStart := calParseClock(from)
	end, okEnd := calParseClock(to)
	if !ok || !okStart || !okEnd {
		return Shift{}, fmt.Errorf("sla: shift %q: %w: want HH:MM-HH:MM", s, ErrInvalidCalendar)
	}
	return Shift{Start: start, End: end}, nil
}

// calParseClock parses "HH:MM", 00:00 to 24:00.
func calParseClock(s string) (time.Duration, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// String returns the shift as "HH:MM-HH:MM".
func (s Shift) String() string {
	hm := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return hm(s.Start) + "-" + hm(s.End)
}

// MarshalText returns the text form of the shift.
func (s Shift) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses the text form of a shift, as ParseShift does.
func (s *Shift) UnmarshalText(b []byte) error {
	v, err := ParseShift(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
