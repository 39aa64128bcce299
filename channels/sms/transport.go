package sms

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// rewriteTransport sends every request to base instead of the host twilio-go
// chose: scheme and host are replaced and base's path is put in front of the
// request's path.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper on a copy of req.
func (t rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.URL.Path = strings.TrimSuffix(t.base.Path, "/") + r.URL.Path
	r.URL.RawPath = ""
	r.Host = ""
	return t.next.RoundTrip(r)
}

// callTransport serves one Send: it attaches the caller's context to the
// request (twilio-go makes requests without one) and records the HTTP status
// and Retry-After of the answer, which twilio-go drops. It is used by one
// goroutine at a time.
type callTransport struct {
	ctx        context.Context
	next       http.RoundTripper
	status     int
	retryAfter time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req.WithContext(t.ctx))
	if resp != nil {
		t.status = resp.StatusCode
		t.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, err
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date; 0 when
// it is absent, unreadable or past. Seconds are capped at a day.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		return time.Duration(min(max(s, 0), 86400)) * time.Second
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}
