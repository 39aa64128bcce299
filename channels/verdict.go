package channels

import (
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// MaxProviderWait caps how long a job waits on a provider's RetryAfter.
const MaxProviderWait = time.Hour

// Verdict turns the error of a call to a provider, made by a job, into River's verdict by the
// package's convention: a permanent error (Temporary false) cancels the job; a rate limit
// (RetryAfter positive) snoozes it for the time asked, capped at MaxProviderWait, which uses
// up no attempt; anything else is returned as it is, for River to retry with backoff.
func Verdict(err error) error {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) && !t.Temporary() {
		return river.JobCancel(err)
	}
	var wait interface{ RetryAfter() time.Duration }
	if errors.As(err, &wait) && wait.RetryAfter() > 0 {
		return river.JobSnooze(min(wait.RetryAfter(), MaxProviderWait))
	}
	return err
}
