package slack

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	slackgo "github.com/slack-go/slack"
)

// MaxBodyBytes is the largest Events API body Verify reads. Slack's events
// are a few kilobytes; anything past this is refused with 413.
const MaxBodyBytes = 1 << 20

// MaxSkew is how far a request's timestamp may be from now, either way,
// before Verify refuses it as a possible replay (Slack's recommendation).
const MaxSkew = 5 * time.Minute

// The reasons an inbound request is refused. A *RequestError wraps exactly
// one of them; test with errors.Is.
var (
	// ErrBodyTooLarge: the body exceeds MaxBodyBytes (413).
	ErrBodyTooLarge = errors.New("body too large")
	// ErrStaleRequest: the timestamp is more than MaxSkew from now (401).
	ErrStaleRequest = errors.New("stale request timestamp")
	// ErrBadSignature: the signature headers are missing or do not match (401).
	ErrBadSignature = errors.New("bad signature")
	// ErrMalformed: the body is not an Events API payload (400).
	ErrMalformed = errors.New("malformed payload")
)

// RequestError is an inbound request refused by Verify or Parse. Status is
// the HTTP status to answer with; Err wraps one of ErrBodyTooLarge,
// ErrStaleRequest, ErrBadSignature or ErrMalformed and the cause.
type RequestError struct {
	Status int
	Err    error
}

// Error describes the refusal.
func (e *RequestError) Error() string { return "slack: " + e.Err.Error() }

// Unwrap gives errors.Is access to the reason and its cause.
func (e *RequestError) Unwrap() error { return e.Err }

// refuse builds a RequestError for reason, keeping cause when there is one.
func refuse(status int, reason, cause error) *RequestError {
	if cause == nil {
		return &RequestError{Status: status, Err: reason}
	}
	return &RequestError{Status: status, Err: fmt.Errorf("%w: %w", reason, cause)}
}

// Verify reads r's body and checks that Slack sent it: at most MaxBodyBytes,
// an X-Slack-Request-Timestamp within MaxSkew of now, and an
// X-Slack-Signature matching signingSecret (checked with slack-go's
// SecretsVerifier). It returns the body, for Parse. r.Body is consumed.
//
// A refused request gives a *RequestError: 413 wrapping ErrBodyTooLarge, 401
// wrapping ErrStaleRequest or ErrBadSignature. An empty signingSecret or an
// unreadable body gives a plain error (a server fault, not the caller's).
//
// slack-go's verifier also holds the timestamp against the wall clock, so a
// now far from the real time refuses every request as stale.
func Verify(r *http.Request, signingSecret string, now time.Time) ([]byte, error) {
	if signingSecret == "" {
		return nil, errors.New("slack: verify: no signing secret configured")
	}
	body, err := ReadBody(r)
	if err != nil {
		return nil, err
	}
	if err := VerifyBody(r.Header, body, signingSecret, now); err != nil {
		return nil, err
	}
	return body, nil
}

// ReadBody reads r's body, at most MaxBodyBytes of it. A longer body is a
// *RequestError with status 413 wrapping ErrBodyTooLarge; an unreadable one a
// plain error. It lets a handler read the body once and try the signing
// secrets of several workspaces with VerifyBody.
func ReadBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, refuse(http.StatusRequestEntityTooLarge, ErrBodyTooLarge, nil)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("slack: verify: read body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, refuse(http.StatusRequestEntityTooLarge, ErrBodyTooLarge, nil)
	}
	return body, nil
}

// VerifyBody checks that Slack sent body with the headers h, as Verify does
// after reading the body, and returns the same errors.
func VerifyBody(h http.Header, body []byte, signingSecret string, now time.Time) error {
	if signingSecret == "" {
		return errors.New("slack: verify: no signing secret configured")
	}
	if err := checkTimestamp(h, now); err != nil {
		return err
	}
	sv, err := slackgo.NewSecretsVerifier(h, signingSecret)
	if errors.Is(err, slackgo.ErrExpiredTimestamp) {
		return refuse(http.StatusUnauthorized, ErrStaleRequest, err)
	}
	if err != nil {
		return refuse(http.StatusUnauthorized, ErrBadSignature, err)
	}
	if _, err := sv.Write(body); err != nil {
		return fmt.Errorf("slack: verify: hash body: %w", err)
	}
	if err := sv.Ensure(); err != nil {
		return refuse(http.StatusUnauthorized, ErrBadSignature, err)
	}
	return nil
}

// checkTimestamp refuses a request whose signature headers are missing or
// whose timestamp is more than MaxSkew from now.
func checkTimestamp(h http.Header, now time.Time) error {
	raw := h.Get("X-Slack-Request-Timestamp")
	if raw == "" || h.Get("X-Slack-Signature") == "" {
		return refuse(http.StatusUnauthorized, ErrBadSignature, errors.New("missing signature headers"))
	}
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return refuse(http.StatusUnauthorized, ErrBadSignature, fmt.Errorf("timestamp %q: %w", raw, err))
	}
	if skew := now.Sub(time.Unix(sec, 0)).Abs(); skew > MaxSkew {
		return refuse(http.StatusUnauthorized, ErrStaleRequest, fmt.Errorf("%s off", skew.Truncate(time.Second)))
	}
	return nil
}

// Retry is Slack's note that a request redelivers an event it sent before.
type Retry struct {
	Num    int    // X-Slack-Retry-Num: 1, 2 or 3; 0 for a first delivery
	Reason string // X-Slack-Retry-Reason: "http_timeout", "http_error", ...
}

// RetryOf reads Slack's retry headers. A redelivery carries the same
// event_id as the original, which is what deduplicates it.
func RetryOf(h http.Header) Retry {
	n, err := strconv.Atoi(h.Get("X-Slack-Retry-Num"))
	if err != nil || n < 0 {
		n = 0
	}
	return Retry{Num: n, Reason: h.Get("X-Slack-Retry-Reason")}
}
