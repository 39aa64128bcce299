package channels_test

import (
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
)

// providerErr is a provider's error with the convention's two methods.
type providerErr struct {
	temporary bool
	wait      time.Duration
}

func (e providerErr) Error() string             { return "provider said no" }
func (e providerErr) Temporary() bool           { return e.temporary }
func (e providerErr) RetryAfter() time.Duration { return e.wait }

func TestVerdict(t *testing.T) {
	var cancel *river.JobCancelError
	if err := channels.Verdict(providerErr{temporary: false}); !errors.As(err, &cancel) {
		t.Errorf("permanent error: %v, want the job cancelled", err)
	}
	var snooze *river.JobSnoozeError
	if err := channels.Verdict(providerErr{temporary: true, wait: 30 * time.Second}); !errors.As(err, &snooze) || snooze.Duration != 30*time.Second {
		t.Errorf("rate limit: %v, want a snooze of 30s", err)
	}
	if err := channels.Verdict(providerErr{temporary: true, wait: 5 * time.Hour}); !errors.As(err, &snooze) || snooze.Duration != channels.MaxProviderWait {
		t.Errorf("long rate limit: %v, want a snooze of MaxProviderWait", err)
	}
	plain := errors.New("connection reset")
	if err := channels.Verdict(plain); err != plain {
		t.Errorf("plain error: %v, want it unchanged for River to retry", err)
	}
}
