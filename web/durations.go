package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// durationInput is a duration as a form field shows it for editing: every non-zero unit, so
// that parseDuration reads back the same span ("1d 4h 30m"), with "0" for none. It is a value
// the server reads back, not words: its units are parseDuration's in every language.
func durationInput(d time.Duration) string {
	if d.Round(time.Second) <= 0 {
		return "0"
	}
	return durationWordsOf(d, 4)
}

// durationWordsOf writes d, rounded to the second, as at most max non-zero units, largest first.
func durationWordsOf(d time.Duration, max int) string {
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		size time.Duration
		unit string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.size; n > 0 && len(parts) < max {
			parts = append(parts, fmt.Sprintf("%d%s", n, u.unit))
			d -= n * u.size
		}
	}
	return strings.Join(parts, " ")
}

// durationWords matches what durationInput (and English pages) write, spaces removed: days, hours, minutes and
// seconds, each optional, in that order.
var durationWords = regexp.MustCompile(`^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$`)

// parseDuration reads a span of time as durationInput writes it ("1d 4h", "2h 30m", "0") or
// as Go writes it ("72h0m0s", "1.5h"). ok is false for anything else, and for a negative span.
func parseDuration(v string) (time.Duration, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(v), ""))
	if s == "0" {
		return 0, true
	}
	if m := durationWords.FindStringSubmatch(s); m != nil && s != "" {
		var d time.Duration
		for i, size := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
			if m[i+1] == "" {
				continue
			}
			n, err := strconv.ParseInt(m[i+1], 10, 32)
			if err != nil {
				return 0, false
			}
			d += time.Duration(n) * size
		}
		return d, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}
