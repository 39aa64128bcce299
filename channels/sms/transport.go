package sms

import (
	"context"
	"net/http"
	"net/url"
	"strings"
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
// of the answer, which twilio-go drops when an error body does not decode.
// It is used by one goroutine at a time.
type callTransport struct {
	ctx    context.Context
	next   http.RoundTripper
	status int
}

// RoundTrip implements http.RoundTripper.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req.WithContext(t.ctx))
	if resp != nil {
		t.status = resp.StatusCode
	}
	return resp, err
}
