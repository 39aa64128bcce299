package sla_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo

	"github.com/parleyhq/parley/sla"
)

// calTestCalendar returns one of the named calendars the tests share, decoded from JSON
// and validated.
func calTestCalendar(tb testing.TB, name string) sla.Calendar {
	tb.Helper()
	src := map[string]string{
		// Weekdays 09:00-17:00 with US holidays in 2026 and New Year 2027.
		"ny-office": `{"zone": "America/New_York",
			"week": {"mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"],
				"thu": ["09:00-17:00"], "fri": ["09:00-17:00"]},
			"holidays": ["2026-07-03", "2026-12-25", "2027-01-01"]}`,
		// Weekdays with a lunch break, Good Friday off.
		"berlin-split": `{"zone": "Europe/Berlin",
			"week": {"mon": ["09:00-12:00", "13:00-17:30"], "tue": ["09:00-12:00", "13:00-17:30"],
				"wed": ["09:00-12:00", "13:00-17:30"], "thu": ["09:00-12:00", "13:00-17:30"],
				"fri": ["09:00-12:00", "13:00-17:30"]},
			"holidays": ["2026-04-03"]}`,
		"ny-daily": `{"zone": "America/New_York", "week": {"mon": ["09:00-17:00"],
			"tue": ["09:00-17:00"], "wed": ["09:00-17:00"], "thu": ["09:00-17:00"],
			"fri": ["09:00-17:00"], "sat": ["09:00-17:00"], "sun": ["09:00-17:00"]}}`,
		// Every night across the hour the clocks change.
		"ny-night": `{"zone": "America/New_York", "week": {"mon": ["01:00-04:00"],
			"tue": ["01:00-04:00"], "wed": ["01:00-04:00"], "thu": ["01:00-04:00"],
			"fri": ["01:00-04:00"], "sat": ["01:00-04:00"], "sun": ["01:00-04:00"]}}`,
		"berlin-night": `{"zone": "Europe/Berlin", "week": {"mon": ["01:00-04:00"],
			"tue": ["01:00-04:00"], "wed": ["01:00-04:00"], "thu": ["01:00-04:00"],
			"fri": ["01:00-04:00"], "sat": ["01:00-04:00"], "sun": ["01:00-04:00"]}}`,
		"ny-24x7":     `{"zone": "America/New_York"}`,
		"berlin-24x7": `{"zone": "Europe/Berlin", "holidays": ["2026-12-25"]}`,
		"utc-24x7":    `{}`,
	}[name]
	if src == "" {
		tb.Fatalf("no test calendar %q", name)
	}
	var c sla.Calendar
	if err := json.Unmarshal([]byte(src), &c); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	if err := c.Validate(); err != nil {
		tb.Fatalf("validate %s: %v", name, err)
	}
	return c
}

// calTestTime parses "2006-01-02 15:04 -0700"; the offset makes every instant unambiguous
// and shows which side of a daylight-saving change it is on.
func calTestTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse("2006-01-02 15:04 -0700", s)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func TestCalendarAdd(t *testing.T) {
	tests := []struct {
		name, cal, start string
		d                time.Duration
		want             string
	}{
		{"within a day", "ny-office", "2026-01-12 10:00 -0500", 3 * time.Hour, "2026-01-12 13:00 -0500"},
		{"due at closing, not next opening", "ny-office", "2026-01-12 09:00 -0500", 8 * time.Hour, "2026-01-12 17:00 -0500"},
		{"across a weekend", "ny-office", "2026-01-09 16:00 -0500", 2 * time.Hour, "2026-01-12 10:00 -0500"},
		{"start on a weekend", "ny-office", "2026-01-10 11:00 -0500", time.Hour, "2026-01-12 10:00 -0500"},
		{"start before opening", "ny-office", "2026-01-12 07:00 -0500", 30 * time.Minute, "2026-01-12 09:30 -0500"},
		{"start after closing", "ny-office", "2026-01-12 18:00 -0500", 30 * time.Minute, "2026-01-13 09:30 -0500"},
		{"start given in another zone", "ny-office", "2026-01-12 15:00 +0000", time.Hour, "2026-01-12 11:00 -0500"},
		{"zero duration keeps a closed start", "ny-office", "2026-01-10 11:00 -0500", 0, "2026-01-10 11:00 -0500"},
		{"holiday", "ny-office", "2026-07-02 16:00 -0400", 2 * time.Hour, "2026-07-06 10:00 -0400"},
		{"weekend with clocks forward", "ny-office", "2026-03-06 16:00 -0500", 2 * time.Hour, "2026-03-09 10:00 -0400"},
		{"weekend with clocks back", "ny-office", "2026-10-30 16:00 -0400", 2 * time.Hour, "2026-11-02 10:00 -0500"},
		{"year end with holidays", "ny-office", "2026-12-24 15:00 -0500", 40 * time.Hour, "2027-01-04 15:00 -0500"},
		{"1000 hours across a clock change", "ny-office", "2026-01-05 09:00 -0500", 1000 * time.Hour, "2026-06-26 17:00 -0400"},
		{"across lunch", "berlin-split", "2026-01-12 11:00 +0100", 2 * time.Hour, "2026-01-12 14:00 +0100"},
		{"start at lunch", "berlin-split", "2026-01-12 12:30 +0100", 30 * time.Minute, "2026-01-12 13:30 +0100"},
		{"a whole split day", "berlin-split", "2026-01-12 09:00 +0100", 7*time.Hour + 30*time.Minute, "2026-01-12 17:30 +0100"},
		{"Berlin clocks forward", "berlin-split", "2026-03-27 17:30 +0100", time.Hour, "2026-03-30 10:00 +0200"},
		{"Good Friday", "berlin-split", "2026-04-02 17:30 +0200", time.Hour, "2026-04-06 10:00 +0200"},
		{"shift on the day clocks go forward", "ny-daily", "2026-03-07 16:00 -0500", 2 * time.Hour, "2026-03-08 10:00 -0400"},
		{"shift on the day clocks go back", "ny-daily", "2026-10-31 16:00 -0400", 2 * time.Hour, "2026-11-01 10:00 -0500"},
		{"skipped hour is closed", "ny-night", "2026-03-08 01:00 -0500", 2 * time.Hour, "2026-03-08 04:00 -0400"},
		{"used up as the clocks jump", "ny-night", "2026-03-08 01:30 -0500", 30 * time.Minute, "2026-03-08 03:00 -0400"},
		{"repeated hour is open twice", "ny-night", "2026-11-01 01:00 -0400", 2 * time.Hour, "2026-11-01 02:00 -0500"},
		{"four hours in a 01-04 shift", "ny-night", "2026-11-01 01:00 -0400", 4 * time.Hour, "2026-11-01 04:00 -0500"},
		{"into the next night", "ny-night", "2026-11-01 01:00 -0400", 5 * time.Hour, "2026-11-02 02:00 -0500"},
		{"Berlin skipped hour", "berlin-night", "2026-03-29 01:00 +0100", 2 * time.Hour, "2026-03-29 04:00 +0200"},
		{"24x7 day of 23 hours", "ny-24x7", "2026-03-07 12:00 -0500", 24 * time.Hour, "2026-03-08 13:00 -0400"},
		{"24x7 day of 25 hours", "ny-24x7", "2026-10-31 12:00 -0400", 24 * time.Hour, "2026-11-01 11:00 -0500"},
		{"24x7 closed on a holiday", "berlin-24x7", "2026-12-24 23:00 +0100", 2 * time.Hour, "2026-12-26 01:00 +0100"},
		{"24x7 across the year end", "utc-24x7", "2026-12-31 23:30 +0000", 1000 * time.Hour, "2027-02-11 15:30 +0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calTestCalendar(t, tt.cal)
			start, want := calTestTime(t, tt.start), calTestTime(t, tt.want)
			got := c.Add(start, tt.d)
			if !got.Equal(want) {
				t.Fatalf("Add(%s, %s) = %s, want %s", tt.start, tt.d, got, want)
			}
			if back := c.Between(start, got); back != tt.d {
				t.Errorf("Between(start, Add) = %s, want %s", back, tt.d)
			}
		})
	}
}

func TestCalendarBetween(t *testing.T) {
	tests := []struct {
		name, cal, a, b string
		want            time.Duration
	}{
		{"same instant", "ny-office", "2026-01-12 10:00 -0500", "2026-01-12 10:00 -0500", 0},
		{"across a weekend", "ny-office", "2026-01-09 16:00 -0500", "2026-01-12 10:00 -0500", 2 * time.Hour},
		{"reversed is negative", "ny-office", "2026-01-12 10:00 -0500", "2026-01-09 16:00 -0500", -2 * time.Hour},
		{"both outside hours", "ny-office", "2026-01-10 10:00 -0500", "2026-01-12 08:00 -0500", 0},
		{"a week", "ny-office", "2026-01-12 00:00 -0500", "2026-01-19 00:00 -0500", 40 * time.Hour},
		{"a week with a holiday", "ny-office", "2026-06-29 00:00 -0400", "2026-07-06 00:00 -0400", 32 * time.Hour},
		{"the year 2026", "ny-office", "2026-01-01 00:00 -0500", "2027-01-01 00:00 -0500", 259 * 8 * time.Hour},
		{"a split day", "berlin-split", "2026-01-12 00:00 +0100", "2026-01-13 00:00 +0100", 7*time.Hour + 30*time.Minute},
		{"lunch is closed", "berlin-split", "2026-01-12 11:30 +0100", "2026-01-12 13:30 +0100", time.Hour},
		{"shift on the day clocks go forward", "ny-daily", "2026-03-08 00:00 -0500", "2026-03-09 00:00 -0400", 8 * time.Hour},
		{"night shift as clocks go forward", "ny-night", "2026-03-08 00:00 -0500", "2026-03-09 00:00 -0400", 2 * time.Hour},
		{"night shift as clocks go back", "ny-night", "2026-11-01 00:00 -0400", "2026-11-02 00:00 -0500", 4 * time.Hour},
		{"Berlin night as clocks go forward", "berlin-night", "2026-03-29 00:00 +0100", "2026-03-30 00:00 +0200", 2 * time.Hour},
		{"Berlin night as clocks go back", "berlin-night", "2026-10-25 00:00 +0200", "2026-10-26 00:00 +0100", 4 * time.Hour},
		{"24x7 New York spring day", "ny-24x7", "2026-03-08 00:00 -0500", "2026-03-09 00:00 -0400", 23 * time.Hour},
		{"24x7 New York autumn day", "ny-24x7", "2026-11-01 00:00 -0400", "2026-11-02 00:00 -0500", 25 * time.Hour},
		{"24x7 Berlin spring day", "berlin-24x7", "2026-03-29 00:00 +0100", "2026-03-30 00:00 +0200", 23 * time.Hour},
		{"24x7 around a holiday", "berlin-24x7", "2026-12-24 12:00 +0100", "2026-12-26 12:00 +0100", 24 * time.Hour},
		{"24x7 UTC", "utc-24x7", "2026-12-31 23:30 +0000", "2027-01-01 00:15 +0000", 45 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calTestCalendar(t, tt.cal)
			if got := c.Between(calTestTime(t, tt.a), calTestTime(t, tt.b)); got != tt.want {
				t.Errorf("Between(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestCalendarIsOpenAndNextOpen(t *testing.T) {
	tests := []struct {
		name, cal, at string
		open          bool
		next          string
	}{
		{"opening is open", "ny-office", "2026-01-12 09:00 -0500", true, "2026-01-12 09:00 -0500"},
		{"last minute is open", "ny-office", "2026-01-12 16:59 -0500", true, "2026-01-12 16:59 -0500"},
		{"closing is closed", "ny-office", "2026-01-12 17:00 -0500", false, "2026-01-13 09:00 -0500"},
		{"Friday evening", "ny-office", "2026-01-09 17:00 -0500", false, "2026-01-12 09:00 -0500"},
		{"Saturday", "ny-office", "2026-01-10 12:00 -0500", false, "2026-01-12 09:00 -0500"},
		{"holiday", "ny-office", "2026-07-03 12:00 -0400", false, "2026-07-06 09:00 -0400"},
		{"New Year's Day", "ny-office", "2026-12-31 17:00 -0500", false, "2027-01-04 09:00 -0500"},
		{"lunch", "berlin-split", "2026-01-12 12:00 +0100", false, "2026-01-12 13:00 +0100"},
		{"after lunch", "berlin-split", "2026-01-12 13:00 +0100", true, "2026-01-12 13:00 +0100"},
		{"Monday after the clocks went forward", "berlin-split", "2026-03-28 10:00 +0100", false, "2026-03-30 09:00 +0200"},
		{"before the night shift", "ny-night", "2026-03-08 00:00 -0500", false, "2026-03-08 01:00 -0500"},
		{"right after the skipped hour", "ny-night", "2026-03-08 03:00 -0400", true, "2026-03-08 03:00 -0400"},
		{"repeated hour, second time", "ny-night", "2026-11-01 01:30 -0500", true, "2026-11-01 01:30 -0500"},
		{"after the night shift", "ny-night", "2026-03-08 04:00 -0400", false, "2026-03-09 01:00 -0400"},
		{"24x7 as the clocks jump", "ny-24x7", "2026-03-08 02:00 -0500", true, "2026-03-08 03:00 -0400"},
		{"24x7 holiday", "berlin-24x7", "2026-12-25 10:00 +0100", false, "2026-12-26 00:00 +0100"},
		{"24x7 UTC", "utc-24x7", "2026-12-25 10:00 +0000", true, "2026-12-25 10:00 +0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calTestCalendar(t, tt.cal)
			at, next := calTestTime(t, tt.at), calTestTime(t, tt.next)
			if got := c.IsOpen(at); got != tt.open {
				t.Errorf("IsOpen(%s) = %t, want %t", tt.at, got, tt.open)
			}
			if got := c.NextOpen(at); !got.Equal(next) {
				t.Errorf("NextOpen(%s) = %s, want %s", tt.at, got, next)
			}
		})
	}
}

func TestCalendarValidate(t *testing.T) {
	h, m := time.Hour, time.Minute
	tests := []struct {
		name    string
		shifts  []sla.Shift
		problem string // empty when valid
	}{
		{"no shifts", nil, ""},
		{"split shift", []sla.Shift{{Start: 9 * h, End: 12 * h}, {Start: 13 * h, End: 17*h + 30*m}}, ""},
		{"touching shifts", []sla.Shift{{Start: 9 * h, End: 12 * h}, {Start: 12 * h, End: 13 * h}}, ""},
		{"until midnight", []sla.Shift{{Start: 18 * h, End: 24 * h}}, ""},
		{"crosses midnight", []sla.Shift{{Start: 22 * h, End: 6 * h}}, "crosses midnight"},
		{"empty", []sla.Shift{{Start: 9 * h, End: 9 * h}}, "is empty"},
		{"overlapping", []sla.Shift{{Start: 9 * h, End: 12 * h}, {Start: 11 * h, End: 13 * h}}, "overlaps"},
		{"out of order", []sla.Shift{{Start: 13 * h, End: 17 * h}, {Start: 9 * h, End: 12 * h}}, "overlaps"},
		{"past midnight", []sla.Shift{{Start: 20 * h, End: 25 * h}}, "within 00:00-24:00"},
		{"negative", []sla.Shift{{Start: -h, End: 2 * h}}, "within 00:00-24:00"},
		{"not whole minutes", []sla.Shift{{Start: 9 * h, End: 9*h + 30*time.Second}}, "whole minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sla.Calendar{Week: sla.Week{time.Wednesday: tt.shifts}}
			err := c.Validate()
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, sla.ErrInvalidCalendar) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("Validate() = %v, want ErrInvalidCalendar saying %q", err, tt.problem)
			}
		})
	}
}

func TestCalendarDecodeRejects(t *testing.T) {
	tests := []struct{ name, src string }{
		{"unknown zone", `{"zone": "Mars/Olympus_Mons"}`},
		{"machine zone", `{"zone": "Local"}`},
		{"shift without minutes", `{"week": {"mon": ["9-17"]}}`},
		{"hour 25", `{"week": {"mon": ["09:00-25:00"]}}`},
		{"24:30", `{"week": {"mon": ["09:00-24:30"]}}`},
		{"signed hour", `{"week": {"mon": ["+9:00-17:00"]}}`},
		{"date that does not exist", `{"holidays": ["2026-02-30"]}`},
		{"date with a time", `{"holidays": ["2026-12-25T00:00:00Z"]}`},
		{"unknown weekday", `{"week": {"monday": ["09:00-17:00"]}}`},
		{"misspelt zone key", `{"timezone": "Europe/Berlin"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c sla.Calendar
			if err := json.Unmarshal([]byte(tt.src), &c); err == nil {
				t.Fatalf("Unmarshal(%s) = nil error, decoded %+v", tt.src, c)
			}
		})
	}
}

func TestCalendarJSONRoundTrip(t *testing.T) {
	utc, err := sla.LoadZone("UTC")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cal  sla.Calendar
		want string
	}{
		{"zero is 24x7 UTC", sla.Calendar{}, `{}`},
		{"named UTC", sla.Calendar{Zone: utc}, `{"zone":"UTC"}`},
		{"split shifts", calTestCalendar(t, "berlin-split"), `{"zone":"Europe/Berlin","week":{` +
			`"mon":["09:00-12:00","13:00-17:30"],"tue":["09:00-12:00","13:00-17:30"],` +
			`"wed":["09:00-12:00","13:00-17:30"],"thu":["09:00-12:00","13:00-17:30"],` +
			`"fri":["09:00-12:00","13:00-17:30"]},"holidays":["2026-04-03"]}`},
		{"until midnight on Sunday", sla.Calendar{
			Week:     sla.Week{time.Sunday: {{Start: 20 * time.Hour, End: 24 * time.Hour}}},
			Holidays: []sla.Date{sla.NewDate(2027, time.January, 1)},
		}, `{"week":{"sun":["20:00-24:00"]},"holidays":["2027-01-01"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.cal)
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tt.want)
			}
			var back sla.Calendar
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", b, err)
			}
			if again, _ := json.Marshal(back); string(again) != tt.want {
				t.Fatalf("round trip = %s, want %s", again, tt.want)
			}
		})
	}
}

func TestCalendarWithoutOpenTime(t *testing.T) {
	// Only an invalid calendar can never open; the methods must still return.
	c := sla.Calendar{Week: sla.Week{time.Monday: {{Start: 17 * time.Hour, End: 9 * time.Hour}}}}
	if err := c.Validate(); !errors.Is(err, sla.ErrInvalidCalendar) {
		t.Fatalf("Validate() = %v, want ErrInvalidCalendar", err)
	}
	start := calTestTime(t, "2026-01-12 10:00 +0000")
	if got := c.Add(start, time.Hour); !got.IsZero() {
		t.Errorf("Add = %s, want the zero Time", got)
	}
	if got := c.NextOpen(start); !got.IsZero() {
		t.Errorf("NextOpen = %s, want the zero Time", got)
	}
	if got := c.Between(start, start.AddDate(10, 0, 0)); got != 0 {
		t.Errorf("Between = %s, want 0", got)
	}
	if c.IsOpen(start) {
		t.Error("IsOpen = true, want false")
	}
}

// TestCalendarMatchesMinuteScan checks Between and Add against the slow definition: sum
// the minutes at which IsOpen holds. Every shift edge and clock change of these zones falls
// on a whole minute, so the scan is exact.
func TestCalendarMatchesMinuteScan(t *testing.T) {
	starts := []string{"2026-03-05 07:13 +0000", "2026-03-26 22:30 +0000", "2026-06-30 00:00 +0000",
		"2026-10-22 13:47 +0000", "2026-10-29 05:01 +0000", "2026-12-22 18:29 +0000"}
	for _, name := range []string{"ny-office", "berlin-split", "ny-night", "berlin-night", "ny-24x7", "berlin-24x7"} {
		c := calTestCalendar(t, name)
		for _, s := range starts {
			a := calTestTime(t, s)
			var scanned time.Duration
			for i, m := 0, a; i <= 10*24*60; i, m = i+1, m.Add(time.Minute) {
				if i%97 == 0 {
					if got := c.Between(a, m); got != scanned {
						t.Fatalf("%s: Between(%s, %s) = %s, minute scan %s", name, a, m, got, scanned)
					}
					if c.IsOpen(m.Add(-time.Minute)) && scanned > 0 {
						if got := c.Add(a, scanned); !got.Equal(m) {
							t.Fatalf("%s: Add(%s, %s) = %s, want %s", name, a, scanned, got, m)
						}
					}
				}
				if c.IsOpen(m) {
					scanned += time.Minute
				}
			}
		}
	}
}

func FuzzCalendarRoundTrip(f *testing.F) {
	names := []string{"ny-office", "berlin-split", "ny-daily", "ny-night", "berlin-night",
		"ny-24x7", "berlin-24x7", "utc-24x7"}
	cals := make([]sla.Calendar, len(names))
	for i, name := range names {
		cals[i] = calTestCalendar(f, name)
	}
	const from = 946684800 * int64(time.Second) // 2000-01-01, the start of the fuzzed century
	for i, s := range []string{"2026-03-08 01:30 -0500", "2026-11-01 01:30 -0400", "2026-03-29 01:59 +0100",
		"2026-10-25 02:30 +0200", "2026-12-24 16:59 -0500", "2026-01-09 17:00 -0500"} {
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if t, err := time.Parse("2006-01-02 15:04 -0700", s); err == nil {
			at = t
		}
		f.Add(uint8(i), at.UnixNano()-from, int64(time.Duration(i+1)*90*time.Minute))
	}
	f.Fuzz(func(t *testing.T, which uint8, startNs, dNs int64) {
		c := cals[int(which)%len(cals)]
		start := time.Unix(0, from+calMod(startNs, 100*365*24*int64(time.Hour)))
		d := time.Duration(calMod(dNs, 20000*int64(time.Hour)))
		end := c.Add(start, d)
		if end.Before(start) {
			t.Fatalf("Add(%s, %s) = %s, before the start", start, d, end)
		}
		if got := c.Between(start, end); got != d {
			t.Fatalf("Between(%s, Add(%s, %s) = %s) = %s", start, start, d, end, got)
		}
		if d > 0 && !c.IsOpen(end.Add(-time.Nanosecond)) {
			t.Fatalf("closed just before Add(%s, %s) = %s", start, d, end)
		}
		next := c.NextOpen(start)
		if next.Before(start) || !c.IsOpen(next) || c.Between(start, next) != 0 {
			t.Fatalf("NextOpen(%s) = %s: before start, closed or after open time", start, next)
		}
	})
}

func calMod(x, n int64) int64 {
	if x %= n; x < 0 {
		x += n
	}
	return x
}

func BenchmarkCalendarAdd(b *testing.B) {
	c := calTestCalendar(b, "ny-office")
	start := calTestTime(b, "2026-01-05 10:17 -0500")
	for _, d := range []time.Duration{2 * time.Hour, 40 * time.Hour, 1000 * time.Hour} {
		b.Run(d.String(), func(b *testing.B) {
			for b.Loop() {
				c.Add(start, d)
			}
		})
	}
}

func BenchmarkCalendarBetween(b *testing.B) {
	c := calTestCalendar(b, "ny-office")
	a := calTestTime(b, "2026-01-05 10:17 -0500")
	for _, span := range []time.Duration{8 * time.Hour, 7 * 24 * time.Hour, 365 * 24 * time.Hour} {
		b.Run(span.String(), func(b *testing.B) {
			for b.Loop() {
				c.Between(a, a.Add(span))
			}
		})
	}
}
