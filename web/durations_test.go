package web

import (
	"testing"
	"time"
)

// TestDurationWords shows spans in one format on every page and reads back what the forms show.
func TestDurationWords(t *testing.T) {
	t.Parallel()
	en := englishWords()
	for _, c := range []struct {
		d          time.Duration
		show, edit string
	}{
		{0, "—", "0"},
		{-time.Minute, "—", "0"},
		{45 * time.Second, "45s", "45s"},
		{15 * time.Minute, "15m", "15m"},
		{2 * time.Hour, "2h", "2h"},
		{2*time.Hour + 30*time.Minute, "2h 30m", "2h 30m"},
		{72 * time.Hour, "3d", "3d"},
		{28 * time.Hour, "1d 4h", "1d 4h"},
		{28*time.Hour + 30*time.Minute + 5*time.Second, "1d 4h", "1d 4h 30m 5s"},
		{24*time.Hour + 30*time.Minute, "1d 30m", "1d 30m"},
		{90*time.Second + 400*time.Millisecond, "1m 30s", "1m 30s"},
		{86 * time.Second, "1m 26s", "1m 26s"}, // a median of 86 s is not "1m"
		{59*time.Second + 600*time.Millisecond, "1m", "1m"},
		{2*time.Hour + 5*time.Minute + 40*time.Second, "2h 5m", "2h 5m 40s"},
	} {
		if got := en.duration(c.d); got != c.show {
			t.Errorf("duration(%v) = %q, want %q", c.d, got, c.show)
		}
		if got := durationInput(c.d); got != c.edit {
			t.Errorf("durationInput(%v) = %q, want %q", c.d, got, c.edit)
		}
		if c.d < 0 {
			continue
		}
		if got, ok := parseDuration(c.edit); !ok || got != c.d.Round(time.Second) {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", c.edit, got, ok, c.d.Round(time.Second))
		}
	}
	for in, want := range map[string]time.Duration{"72h0m0s": 72 * time.Hour, "1.5h": 90 * time.Minute, " 2H 30M ": 150 * time.Minute,
		"1d4h": 28 * time.Hour, "90m": 90 * time.Minute} {
		if got, ok := parseDuration(in); !ok || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "soon", "4h 1d", "-1h", "3 days", "1w"} {
		if got, ok := parseDuration(bad); ok {
			t.Errorf("parseDuration(%q) = %v, want refused", bad, got)
		}
	}
}

// A median or p90 shows whenever there is at least one value, even a zero one; a dash means none.
func TestSpreadDurationShowsAnyValue(t *testing.T) {
	en := englishWords()
	for _, c := range []struct {
		n    int64
		d    time.Duration
		want string
	}{{0, 0, "—"}, {1, 0, "0s"}, {3, 400 * time.Millisecond, "0s"}, {2, 90 * time.Second, "1m 30s"}, {0, time.Hour, "1h"}} {
		if got := en.spread(c.n, c.d); got != c.want {
			t.Errorf("spread(%d, %s) = %q, want %q", c.n, c.d, got, c.want)
		}
	}
}

// englishWords is the shipped catalogue's English, as a request without Accept-Language gets it.
func englishWords() words { return mustCatalogs().words(fallbackLocale) }

// An age is compact: "now", minutes, hours up to two days, days up to two weeks, then weeks.
func TestAgoIsCompact(t *testing.T) {
	en := englishWords()
	for d, want := range map[time.Duration]string{30 * time.Second: "now", 5 * time.Minute: "5m", 3 * time.Hour: "3h",
		47 * time.Hour: "47h", 50 * time.Hour: "2d", 15 * 24 * time.Hour: "2w"} {
		if got := en.ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
	at := time.Date(2026, 12, 2, 17, 5, 0, 0, time.FixedZone("CET", 3600))
	if got, want := en.clock(at), "Dec 2, 16:05 UTC"; got != want {
		t.Errorf("clock = %q, want %q", got, want)
	}
	if got, want := en.day(at), "Dec 2"; got != want {
		t.Errorf("day = %q, want %q", got, want)
	}
}
