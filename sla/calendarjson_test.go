package sla_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/sla"
)

// calText writes a calendar's zone, shifts and holidays; a day without shifts reads the same
// whether its list is nil or empty.
func calText(c sla.Calendar) string {
	return fmt.Sprint(c.Zone, c.Week, c.Holidays)
}

// FuzzCalendarJSON checks that decoding a calendar never panics, that whatever decodes
// encodes to a form that decodes again to the same calendar, and that a decoded calendar that
// validates is open at some instant and adds business time back to what Between measures.
func FuzzCalendarJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"zone": "UTC"}`,
		`{"zone": "America/New_York", "week": {"mon": ["09:00-17:00"], "fri": ["09:00-12:00", "13:00-17:30"]},
			"holidays": ["2026-07-03", "2026-12-25"]}`,
		`{"zone": "Europe/Berlin", "holidays": ["2026-12-25"]}`,
		`{"week": {"sun": ["20:00-24:00"]}, "holidays": ["2027-01-01"]}`,
		`{"week": {"mon": ["17:00-09:00"]}}`, `{"week": {"mon": []}}`, `{"zone": "Local"}`, `{"timezone": "UTC"}`,
		`{"week": {"mon": ["09:00-25:00"]}}`, `{"holidays": ["2026-02-30"]}`, `[]`, `null`} {
		f.Add([]byte(s))
	}
	at := time.Date(2026, 3, 8, 1, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src []byte) {
		var c sla.Calendar
		if err := json.Unmarshal(src, &c); err != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal of %s: %v", src, err)
		}
		var back sla.Calendar
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal of re-encoded %s: %v", b, err)
		}
		if calText(back) != calText(c) {
			t.Fatalf("round trip of %s = %s, want %s", src, calText(back), calText(c))
		}
		// A day listed without shifts ("mon": []) is encoded once and then left out: the
		// second encoding is final.
		again, err := json.Marshal(back)
		if err != nil {
			t.Fatalf("Marshal of %s: %v", b, err)
		}
		var third sla.Calendar
		if err := json.Unmarshal(again, &third); err != nil {
			t.Fatalf("Unmarshal of re-encoded %s: %v", again, err)
		}
		if last, err := json.Marshal(third); err != nil || !bytes.Equal(last, again) {
			t.Fatalf("encoding of %s = %s, %v; want %s", again, last, err, again)
		}
		if err := c.Validate(); err != nil {
			if !errors.Is(err, sla.ErrInvalidCalendar) {
				t.Fatalf("Validate() error %v does not wrap ErrInvalidCalendar", err)
			}
			return
		}
		next := c.NextOpen(at)
		if next.IsZero() || next.Before(at) || !c.IsOpen(next) {
			t.Fatalf("valid calendar %s: NextOpen(%s) = %s", b, at, next)
		}
		if end := c.Add(at, 90*time.Minute); c.Between(at, end) != 90*time.Minute {
			t.Fatalf("valid calendar %s: Between(%s, Add(%s, 90m) = %s) = %s", b, at, at, end, c.Between(at, end))
		}
	})
}
