package workflow

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// slaDayNames are the weekday names ParseHours reads, Sunday first as time.Weekday counts.
var slaDayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

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
			return w, fmt.Errorf("workflow: hours %q: %w: want days and shifts, such as \"mon-fri 09:00-17:00\"", spec, ErrInvalidCalendar)
		}
		ds, err := parseDays(days)
		if err != nil {
			return w, fmt.Errorf("workflow: hours %q: %w", spec, err)
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
	i := slices.Index(slaDayNames[:], strings.TrimSpace(s))
	return time.Weekday(i), i >= 0
}
