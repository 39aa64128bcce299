package slack

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/slack/slacktest"
)

const secret = "test-signing-secret"

func TestVerify(t *testing.T) {
	now := time.Now()
	body := slacktest.MessageEvent(slacktest.Message{Channel: "C1", User: "U1", Text: "hello"})

	cases := map[string]struct {
		req    func() *http.Request
		clock  time.Duration // how far Verify's now is from the signing clock
		status int           // 0: accepted
		reason error         // the sentinel a refusal wraps
	}{
		"good signature": {
			req: func() *http.Request { return slacktest.Request("/", secret, now, body) },
		},
		"skew within the window": {
			req: func() *http.Request { return slacktest.Request("/", secret, now.Add(-4*time.Minute), body) },
		},
		"signed with another secret": {
			req:    func() *http.Request { return slacktest.Request("/", "other-secret", now, body) },
			status: http.StatusUnauthorized, reason: ErrBadSignature,
		},
		"body changed after signing": {
			req: func() *http.Request {
				r := slacktest.Request("/", secret, now, body)
				r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte("hello"), []byte("HELLO"), 1)))
				return r
			},
			status: http.StatusUnauthorized, reason: ErrBadSignature,
		},
		"timestamp changed after signing": {
			req: func() *http.Request {
				r := slacktest.Request("/", secret, now, body)
				r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now.Unix()-1, 10))
				return r
			},
			status: http.StatusUnauthorized, reason: ErrBadSignature,
		},
		"no signature headers": {
			req: func() *http.Request {
				r := slacktest.Request("/", secret, now, body)
				r.Header.Del("X-Slack-Signature")
				return r
			},
			status: http.StatusUnauthorized, reason: ErrBadSignature,
		},
		"signature not hex": {
			req: func() *http.Request {
				r := slacktest.Request("/", secret, now, body)
				r.Header.Set("X-Slack-Signature", "v0=zz")
				return r
			},
			status: http.StatusUnauthorized, reason: ErrBadSignature,
		},
		"stale timestamp": {
			req:    func() *http.Request { return slacktest.Request("/", secret, now.Add(-6*time.Minute), body) },
			status: http.StatusUnauthorized, reason: ErrStaleRequest,
		},
		"verified six minutes after signing": {
			req:    func() *http.Request { return slacktest.Request("/", secret, now, body) },
			clock:  6 * time.Minute,
			status: http.StatusUnauthorized, reason: ErrStaleRequest,
		},
		"verified six minutes before signing": {
			req:    func() *http.Request { return slacktest.Request("/", secret, now, body) },
			clock:  -6 * time.Minute,
			status: http.StatusUnauthorized, reason: ErrStaleRequest,
		},
		"timestamp in the future": {
			req:    func() *http.Request { return slacktest.Request("/", secret, now.Add(6*time.Minute), body) },
			status: http.StatusUnauthorized, reason: ErrStaleRequest,
		},
		"timestamp not a number": {
			req: func() *http.Request {
				r := slacktest.Request("/", secret, now, body)
				r.Header.Set("X-Slack-Request-Timestamp", "soon")
				return r
			},
			status: http.StatusUnauthorized, reason: ErrBadSignature,
		},
		"body over the cap, correctly signed": {
			req: func() *http.Request {
				return slacktest.Request("/", secret, now, bytes.Repeat([]byte("x"), MaxBodyBytes+1))
			},
			status: http.StatusRequestEntityTooLarge, reason: ErrBodyTooLarge,
		},
		"body over the cap, length unknown": {
			req: func() *http.Request {
				big := bytes.Repeat([]byte("x"), MaxBodyBytes+1)
				r := slacktest.Request("/", secret, now, big)
				r.ContentLength = -1
				return r
			},
			status: http.StatusRequestEntityTooLarge, reason: ErrBodyTooLarge,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Verify(tc.req(), secret, now.Add(tc.clock))
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("body = %q", got)
				}
				return
			}
			var re *RequestError
			if !errors.As(err, &re) || re.Status != tc.status || !errors.Is(err, tc.reason) {
				t.Fatalf("err = %v, want status %d wrapping %v", err, tc.status, tc.reason)
			}
		})
	}
}

func TestVerifyAcceptsBodyAtTheCap(t *testing.T) {
	now := time.Now()
	body := bytes.Repeat([]byte("x"), MaxBodyBytes)
	got, err := Verify(slacktest.Request("/", secret, now, body), secret, now)
	if err != nil || len(got) != MaxBodyBytes {
		t.Fatalf("Verify = %d bytes, %v", len(got), err)
	}
}

func TestVerifyWithoutSecretIsAServerFault(t *testing.T) {
	now := time.Now()
	_, err := Verify(slacktest.Request("/", "", now, []byte("{}")), "", now)
	var re *RequestError
	if err == nil || errors.As(err, &re) {
		t.Fatalf("err = %v, want a plain error", err)
	}
}

func TestVerifyRedeliveryThenRetryOf(t *testing.T) {
	now := time.Now()
	body := slacktest.MessageEvent(slacktest.Message{Channel: "C1", User: "U1", Text: "again"})
	r := slacktest.Request("/", secret, now, body)
	slacktest.SetRetry(r.Header, 2, "http_timeout")

	if _, err := Verify(r, secret, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got := RetryOf(r.Header); got != (Retry{Num: 2, Reason: "http_timeout"}) {
		t.Fatalf("RetryOf = %+v", got)
	}
	if got := RetryOf(http.Header{}); got != (Retry{}) {
		t.Fatalf("RetryOf(first delivery) = %+v", got)
	}
}

func TestVerifyThenParseMalformedBody(t *testing.T) {
	now := time.Now()
	body, err := Verify(slacktest.Request("/", secret, now, []byte(`{"type":`)), secret, now)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	_, err = Parse(body, Self{})
	var re *RequestError
	if !errors.As(err, &re) || re.Status != http.StatusBadRequest || !errors.Is(err, ErrMalformed) {
		t.Fatalf("Parse err = %v, want 400 ErrMalformed", err)
	}
}
