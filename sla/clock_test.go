package sla_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/sla"
)

// clockTestPauses parses pauses written as {start, end}; an empty end is open-ended.
func clockTestPauses(tb testing.TB, spans ...[2]string) []sla.Pause {
	tb.Helper()
	var out []sla.Pause
	for _, s := range spans {
		p := sla.Pause{Start: calTestTime(tb, s[0])}
		if s[1] != "" {
			p.End = calTestTime(tb, s[1])
		}
		out = append(out, p)
	}
	return out
}

func TestClockDue(t *testing.T) {
	tests := []struct {
		name, cal, start string
		target           time.Duration
		pauses           [][2]string
		want             string // empty: paused, no due instant
	}{
		{"no pauses", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour, nil, "2026-01-12 13:00 -0500"},
		{"start outside hours", "ny-office", "2026-01-10 12:00 -0500", 4 * time.Hour, nil, "2026-01-12 13:00 -0500"},
		{"pause while pending", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-12 10:00 -0500", "2026-01-13 09:30 -0500"}}, "2026-01-13 12:30 -0500"},
		{"pause over a weekend", "ny-office", "2026-01-09 15:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-09 16:00 -0500", "2026-01-12 11:00 -0500"}}, "2026-01-12 14:00 -0500"},
		{"still paused", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-12 10:00 -0500", ""}}, ""},
		{"due before an open pause", "ny-office", "2026-01-12 09:00 -0500", time.Hour,
			[][2]string{{"2026-01-12 11:00 -0500", ""}}, "2026-01-12 10:00 -0500"},
		{"due as an open pause starts", "ny-office", "2026-01-12 09:00 -0500", time.Hour,
			[][2]string{{"2026-01-12 10:00 -0500", ""}}, "2026-01-12 10:00 -0500"},
		{"due before a later pause", "ny-office", "2026-01-12 09:00 -0500", time.Hour,
			[][2]string{{"2026-01-12 11:00 -0500", "2026-01-12 12:00 -0500"}}, "2026-01-12 10:00 -0500"},
		{"pause from before the start", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-09 16:00 -0500", "2026-01-12 10:00 -0500"}}, "2026-01-12 14:00 -0500"},
		{"pause over before the start", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-09 10:00 -0500", "2026-01-09 11:00 -0500"}}, "2026-01-12 13:00 -0500"},
		{"overlapping pauses", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-12 10:00 -0500", "2026-01-12 11:00 -0500"}, {"2026-01-12 10:30 -0500", "2026-01-12 12:00 -0500"}},
			"2026-01-12 15:00 -0500"},
		{"pauses out of order", "ny-office", "2026-01-12 09:00 -0500", 6 * time.Hour,
			[][2]string{{"2026-01-12 14:00 -0500", "2026-01-12 15:00 -0500"}, {"2026-01-12 10:00 -0500", "2026-01-12 11:00 -0500"}},
			"2026-01-12 17:00 -0500"},
		{"open pause after a closed one with the same start", "ny-office", "2026-01-12 09:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-01-12 10:00 -0500", "2026-01-12 11:00 -0500"}, {"2026-01-12 10:00 -0500", ""}}, ""},
		{"pause outside hours changes nothing", "ny-office", "2026-01-12 09:00 -0500", 10 * time.Hour,
			[][2]string{{"2026-01-12 18:00 -0500", "2026-01-13 08:00 -0500"}}, "2026-01-13 11:00 -0500"},
		{"across the year end", "ny-office", "2026-12-23 16:00 -0500", 32 * time.Hour,
			[][2]string{{"2026-12-23 16:30 -0500", "2026-12-28 10:00 -0500"}}, "2027-01-04 09:30 -0500"},
		{"24x7 across midnight", "utc-24x7", "2026-12-31 23:50 +0000", 30 * time.Minute,
			[][2]string{{"2026-12-31 23:55 +0000", "2027-01-01 00:05 +0000"}}, "2027-01-01 00:30 +0000"},
		{"24x7 as the clocks go forward", "ny-24x7", "2026-03-08 00:00 -0500", 4 * time.Hour,
			[][2]string{{"2026-03-08 00:30 -0500", "2026-03-08 01:00 -0500"}}, "2026-03-08 05:30 -0400"},
		{"split shift", "berlin-split", "2026-01-12 11:00 +0100", 3 * time.Hour,
			[][2]string{{"2026-01-12 11:30 +0100", "2026-01-12 14:00 +0100"}}, "2026-01-12 16:30 +0100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pauses := clockTestPauses(t, tt.pauses...)
			k := sla.Clock{Calendar: calTestCalendar(t, tt.cal), Target: tt.target,
				Start: calTestTime(t, tt.start), Pauses: slices.Clone(pauses)}
			got, ok, err := k.Due()
			if err != nil {
				t.Fatalf("Due() error: %v", err)
			}
			switch {
			case tt.want == "" && ok:
				t.Fatalf("Due() = %s, want paused", got)
			case tt.want != "" && (!ok || !got.Equal(calTestTime(t, tt.want))):
				t.Fatalf("Due() = %s, %t; want %s", got, ok, tt.want)
			}
			if !slices.Equal(k.Pauses, pauses) {
				t.Errorf("Due() changed the pauses: %v, was %v", k.Pauses, pauses)
			}
		})
	}
}

func TestClockWarning(t *testing.T) {
	tests := []struct {
		name   string
		share  float64
		pauses [][2]string
		want   string // empty: paused, no warning instant
	}{
		{"80 percent", 0.8, nil, "2026-01-12 13:00 -0500"},
		{"whole target", 1, nil, "2026-01-12 14:00 -0500"},
		{"80 percent with a pause", 0.8, [][2]string{{"2026-01-12 10:00 -0500", "2026-01-13 09:00 -0500"}}, "2026-01-13 12:00 -0500"},
		{"paused before the warning", 0.8, [][2]string{{"2026-01-12 10:00 -0500", ""}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := sla.Clock{Calendar: calTestCalendar(t, "ny-office"), Target: 5 * time.Hour,
				Start: calTestTime(t, "2026-01-12 09:00 -0500"), Pauses: clockTestPauses(t, tt.pauses...)}
			got, ok, err := k.Warning(tt.share)
			if err != nil {
				t.Fatalf("Warning(%v) error: %v", tt.share, err)
			}
			if ok != (tt.want != "") || ok && !got.Equal(calTestTime(t, tt.want)) {
				t.Fatalf("Warning(%v) = %s, %t; want %q", tt.share, got, ok, tt.want)
			}
		})
	}
}

func TestClockAt(t *testing.T) {
	k := sla.Clock{Calendar: calTestCalendar(t, "ny-office"), Target: 4 * time.Hour,
		Start: calTestTime(t, "2026-01-12 09:00 -0500"),
		Pauses: clockTestPauses(t, [2]string{"2026-01-12 10:00 -0500", "2026-01-12 11:00 -0500"},
			[2]string{"2026-01-12 15:00 -0500", ""})}
	tests := []struct {
		now  string
		want sla.Status
	}{
		{"2026-01-12 08:00 -0500", sla.Status{Remaining: 4 * time.Hour}},
		{"2026-01-12 09:30 -0500", sla.Status{Elapsed: 30 * time.Minute, Remaining: 3*time.Hour + 30*time.Minute}},
		{"2026-01-12 10:30 -0500", sla.Status{Elapsed: time.Hour, Remaining: 3 * time.Hour, Paused: true}},
		{"2026-01-12 12:00 -0500", sla.Status{Elapsed: 2 * time.Hour, Remaining: 2 * time.Hour}},
		{"2026-01-12 14:00 -0500", sla.Status{Elapsed: 4 * time.Hour, Breached: true}},
		{"2026-01-12 16:00 -0500", sla.Status{Elapsed: 5 * time.Hour, Remaining: -time.Hour, Paused: true, Breached: true}},
		{"2026-01-13 12:00 -0500", sla.Status{Elapsed: 5 * time.Hour, Remaining: -time.Hour, Paused: true, Breached: true}},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			got, err := k.At(calTestTime(t, tt.now))
			if err != nil || got != tt.want {
				t.Fatalf("At(%s) = %+v, %v; want %+v", tt.now, got, err, tt.want)
			}
		})
	}
}

func TestClockRejects(t *testing.T) {
	start := time.Date(2026, 1, 12, 14, 0, 0, 0, time.UTC)
	valid := sla.Clock{Target: time.Hour, Start: start}
	with := func(change func(*sla.Clock)) sla.Clock {
		k := valid
		change(&k)
		return k
	}
	tests := []struct {
		name  string
		clock sla.Clock
		share float64
	}{
		{"zero target", with(func(k *sla.Clock) { k.Target = 0 }), 0.8},
		{"negative target", with(func(k *sla.Clock) { k.Target = -time.Hour }), 0.8},
		{"no start", with(func(k *sla.Clock) { k.Start = time.Time{} }), 0.8},
		{"invalid calendar", with(func(k *sla.Clock) {
			k.Calendar.Week[time.Monday] = []sla.Shift{{Start: 17 * time.Hour, End: 9 * time.Hour}}
		}), 0.8},
		{"pause without start", with(func(k *sla.Clock) { k.Pauses = []sla.Pause{{End: start}} }), 0.8},
		{"pause ending before it starts", with(func(k *sla.Clock) {
			k.Pauses = []sla.Pause{{Start: start.Add(time.Hour), End: start}}
		}), 0.8},
		{"two open pauses", with(func(k *sla.Clock) {
			k.Pauses = []sla.Pause{{Start: start}, {Start: start.Add(time.Hour)}}
		}), 0.8},
		{"pause after the open one", with(func(k *sla.Clock) {
			k.Pauses = []sla.Pause{{Start: start}, {Start: start.Add(time.Hour), End: start.Add(2 * time.Hour)}}
		}), 0.8},
		{"zero share", valid, 0},
		{"share above one", valid, 1.5},
		{"NaN share", valid, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := tt.clock.Warning(tt.share); !errors.Is(err, sla.ErrInvalidClock) {
				t.Fatalf("Warning(%v) error = %v, want ErrInvalidClock", tt.share, err)
			}
			if tt.share != 0.8 {
				return // the clock itself is valid
			}
			if _, _, err := tt.clock.Due(); !errors.Is(err, sla.ErrInvalidClock) {
				t.Errorf("Due() error = %v, want ErrInvalidClock", err)
			}
			if _, err := tt.clock.At(start); !errors.Is(err, sla.ErrInvalidClock) {
				t.Errorf("At() error = %v, want ErrInvalidClock", err)
			}
		})
	}
}
