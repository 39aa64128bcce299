package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	slackgo "github.com/slack-go/slack"
)

// SendError is a failed Web API call, classified for the caller's retry
// policy. Every Client method's error wraps one; get it with errors.As.
type SendError struct {
	// Temporary: the same call may succeed later (rate limit, Slack's 5xx,
	// network trouble). Otherwise retrying cannot help until someone acts.
	Temporary bool
	// RetryAfter is Slack's Retry-After on a rate limit; zero otherwise.
	RetryAfter time.Duration
	// Reason says what went wrong in words an admin can act on.
	Reason string
	// Code is Slack's error code ("channel_not_found") when Slack answered
	// one; empty otherwise.
	Code string
	// Err is slack-go's error.
	Err error
}

// Error gives the reason and the underlying error.
func (e *SendError) Error() string { return e.Reason + ": " + e.Err.Error() }

// Unwrap gives access to slack-go's error.
func (e *SendError) Unwrap() error { return e.Err }

// classify turns a slack-go error into a *SendError.
func classify(err error) *SendError {
	var (
		limited *slackgo.RateLimitedError
		status  slackgo.StatusCodeError
		api     slackgo.SlackErrorResponse
	)
	switch {
	case errors.As(err, &limited):
		return &SendError{Temporary: true, RetryAfter: limited.RetryAfter,
			Reason: "rate limited by Slack", Code: "ratelimited", Err: err}
	case errors.As(err, &status):
		temporary := status.Code >= 500 || status.Code == http.StatusTooManyRequests
		return &SendError{Temporary: temporary,
			Reason: fmt.Sprintf("Slack answered HTTP %d", status.Code), Err: err}
	case errors.As(err, &api):
		reason, temporary := explain(api)
		return &SendError{Temporary: temporary, Reason: reason, Code: api.Err, Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &SendError{Temporary: true, Reason: "request to Slack cancelled or timed out", Err: err}
	default:
		return &SendError{Temporary: true, Reason: "cannot reach Slack", Err: err}
	}
}

// explain gives a readable reason for a Slack error code and whether the
// call may succeed later.
func explain(api slackgo.SlackErrorResponse) (string, bool) {
	switch api.Err {
	case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
		return "Slack could not handle the request now", true
	case "channel_not_found":
		return "the channel does not exist or the bot cannot see it", false
	case "not_in_channel":
		return "the bot is not a member of the channel; invite it", false
	case "is_archived":
		return "the channel is archived", false
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
		return "the bot token is invalid or revoked; reinstall the Slack app", false
	case "missing_scope":
		scope := "a required OAuth scope"
		if api.Needed != "" {
			scope = "the OAuth scope " + api.Needed
		}
		return "the Slack app lacks " + scope + "; add it and reinstall", false
	case "user_not_found":
		return "no such Slack user", false
	case "msg_too_long":
		return "the message is too long for Slack", false
	case "no_text":
		return "the message is empty", false
	case "invalid_blocks":
		return "Slack refused the message layout", false
	default:
		return "Slack refused the request", false
	}
}

// failure adapts a Client's error to the retry policy of Parley's jobs: Temporary reports
// whether retrying can help, RetryAfter how long Slack asked to wait.
type failure struct {
	err        error
	temporary  bool
	retryAfter time.Duration
}

// Error gives the underlying error's text, which agents see on a failed message.
func (f *failure) Error() string { return f.err.Error() }

// Unwrap gives access to the *SendError.
func (f *failure) Unwrap() error { return f.err }

// Temporary reports whether the same call may succeed later.
func (f *failure) Temporary() bool { return f.temporary }

// RetryAfter is Slack's Retry-After on a rate limit; zero otherwise.
func (f *failure) RetryAfter() time.Duration { return f.retryAfter }

// retryable classifies err, a Client's error, for the jobs' retry policy; an error without a
// *SendError is temporary.
func retryable(err error) error {
	var se *SendError
	if errors.As(err, &se) {
		return &failure{err: err, temporary: se.Temporary, retryAfter: se.RetryAfter}
	}
	return &failure{err: err, temporary: true}
}

// permanent is a failure no retry can fix, such as a reply with nowhere to go.
func permanent(err error) error { return &failure{err: err} }
