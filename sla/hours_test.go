package sla_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/sla"
)

// weekText writes a week as "mon 06:00-08:00,09:00-12:00; tue ...", Monday first, days
// without shifts left out.
func weekText(w sla.Week) string {
	var days []string
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday,
		time.Saturday, time.Sunday} {
		if len(w[d]) == 0 {
			continue
		}
		var shifts []string
		for _, s := range w[d] {
			shifts = append(shifts, s.String())
		}
		days = append(days, strings.ToLower(d.String()[:3])+" "+strings.Join(shifts, ","))
	}
	return strings.Join(days, "; ")
}

func TestParseHours(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		want  string
	}{
		{"nothing", nil, ""},
		{"office week", []string{"mon-fri 09:00-17:00"},
			"mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00; fri 09:00-17:00"},
		{"split shifts and extra days sorted", []string{"mon-fri 09:00-12:00,13:00-17:00", "sat 10:00-14:00", "sun-mon 06:00-08:00"},
			"mon 06:00-08:00,09:00-12:00,13:00-17:00; tue 09:00-12:00,13:00-17:00; wed 09:00-12:00,13:00-17:00; " +
				"thu 09:00-12:00,13:00-17:00; fri 09:00-12:00,13:00-17:00; sat 10:00-14:00; sun 06:00-08:00"},
		{"listed days", []string{"mon,wed 08:00-12:00"}, "mon 08:00-12:00; wed 08:00-12:00"},
		{"a range that wraps", []string{"fri-mon 10:00-11:00"},
			"mon 10:00-11:00; fri 10:00-11:00; sat 10:00-11:00; sun 10:00-11:00"},
		{"a day named twice counts once", []string{"mon,mon-tue 10:00-11:00"}, "mon 10:00-11:00; tue 10:00-11:00"},
		{"upper case days, spaces around", []string{"  MON 18:00-24:00 "}, "mon 18:00-24:00"},
		{"spaces between shifts", []string{"tue 09:00-12:00, 13:00-17:00"}, "tue 09:00-12:00,13:00-17:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := sla.ParseHours(tt.specs)
			if err != nil {
				t.Fatalf("ParseHours(%q): %v", tt.specs, err)
			}
			if got := weekText(w); got != tt.want {
				t.Fatalf("ParseHours(%q) = %q, want %q", tt.specs, got, tt.want)
			}
		})
	}
}

func TestParseHoursRejects(t *testing.T) {
	for _, bad := range []string{"weekdays 09:00-17:00", "mon-fri", "mon 9-5", "mon 09:00-25:00", "mon-fry 09:00-17:00",
		"mon 09:00", "", "mon 09:00-17:00,", "monday 09:00-17:00"} {
		t.Run(bad, func(t *testing.T) {
			if w, err := sla.ParseHours([]string{bad}); !errors.Is(err, sla.ErrInvalidCalendar) {
				t.Fatalf("ParseHours(%q) = %v, %v; want an error wrapping ErrInvalidCalendar", bad, weekText(w), err)
			}
		})
	}
}

// FuzzParseHours checks that ParseHours either refuses a spec with ErrInvalidCalendar or
// returns a week of sorted, well-formed shifts that survives a JSON round trip.
func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"mon-fri 09:00-17:00", "sat 10:00-14:00", "mon,wed 08:00-12:00,13:00-17:00",
		"fri-mon 22:00-24:00", "sun 00:00-24:00", "mon 9-5", "weekdays", "tue 09:00-12:00, 11:00-13:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		w, err := sla.ParseHours([]string{spec})
		if err != nil {
			if !errors.Is(err, sla.ErrInvalidCalendar) {
				t.Fatalf("ParseHours(%q) error %v does not wrap ErrInvalidCalendar", spec, err)
			}
			return
		}
		for d, shifts := range w {
			if !slices.IsSortedFunc(shifts, func(a, b sla.Shift) int { return int(a.Start - b.Start) }) {
				t.Fatalf("ParseHours(%q): %s shifts %v not sorted", spec, time.Weekday(d), shifts)
			}
			for _, s := range shifts {
				if s.Start < 0 || s.End > 24*time.Hour || s.Start%time.Minute != 0 || s.End%time.Minute != 0 {
					t.Fatalf("ParseHours(%q): shift %v outside 00:00-24:00 in whole minutes", spec, s)
				}
			}
		}
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", w, err)
		}
		var back sla.Week
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if fmt.Sprint(back) != fmt.Sprint(w) {
			t.Fatalf("round trip of %q = %v, want %v", spec, back, w)
		}
	})
}
