package slack

import (
	"testing"
	"time"
)

// TestPruneScheduleIsHourly: after a run, the next prune comes an hour later.
func TestPruneScheduleIsHourly(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 17, 0, 0, time.UTC)
	if next := pruneSchedule().Next(at); !next.Equal(at.Add(time.Hour)) {
		t.Fatalf("next prune after %s: %s, want an hour later", at, next)
	}
}
