package sms_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "feedface0123456789abcdef01234567"
	serviceSID = "MG0123456789abcdef0123456789abcdef"
)

func setup(t *testing.T) (*smstest.Server, *sms.Client) {
	t.Helper()
	srv := smstest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	return srv, newClient(t, sms.Config{AccountSID: accountSID, AuthToken: authToken, APIURL: srv.URL})
}

func newClient(t *testing.T, cfg sms.Config) *sms.Client {
	t.Helper()
	c, err := sms.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func outbound() sms.Outbound {
	return sms.Outbound{
		From:           "+14155550100",
		To:             "+447700900123",
		Body:           "Hello from Parley",
		StatusCallback: "https://parley.example/webhooks/twilio/status",
	}
}

// errorAs returns err as an E, failing the test when it is not one.
func errorAs[E error](t *testing.T, err error) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a %T", err, err, e)
	}
	return e
}

func sendError(t *testing.T, err error) *sms.SendError {
	t.Helper()
	return errorAs[*sms.SendError](t, err)
}

func TestSendQueued(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	out := outbound()

	sent, err := c.Send(context.Background(), out)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(sent.SID) || sent.Status != "queued" {
		t.Errorf("Send = %+v, want an SM sid and status queued", sent)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server holds %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.SID != sent.SID || got.From != out.From || got.To != out.To ||
		got.Body != out.Body || got.StatusCallback != out.StatusCallback || got.MessagingServiceSID != "" {
		t.Errorf("server got %+v, want the fields of %+v and sid %s", got, out, sent.SID)
	}
}

func TestSendThroughMessagingService(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	out := outbound()
	out.From, out.MessagingServiceSID, out.StatusCallback = "", serviceSID, ""

	sent, err := c.Send(context.Background(), out)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if sent.Status != "accepted" {
		t.Errorf("status = %q, want accepted", sent.Status)
	}
	got := srv.Messages()[0].Form
	if got.Get("MessagingServiceSid") != serviceSID || got.Has("From") || got.Has("StatusCallback") {
		t.Errorf("form = %v, want MessagingServiceSid and no From or StatusCallback", got)
	}
}

func TestSendWrongToken(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	c := newClient(t, sms.Config{AccountSID: accountSID, AuthToken: "0000" + authToken[4:], APIURL: srv.URL})

	_, err := c.Send(context.Background(), outbound())
	se := sendError(t, err)
	if se.Status != http.StatusUnauthorized || se.Code != 20003 || se.Temporary {
		t.Errorf("error = %+v, want permanent 401 code 20003", se)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d messages with a wrong token", n)
	}
}

func TestSendFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failure   smstest.Failure
		status    int
		code      int
		temporary bool
	}{
		{"invalid number", smstest.InvalidNumber, 400, 21211, false},
		{"unsubscribed", smstest.Unsubscribed, 400, 21610, false},
		{"rate limited", smstest.RateLimited, 429, 20429, true},
		{"server error", smstest.ServerError, 500, 20500, true},
		{"disconnect", smstest.Disconnect, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t)
			srv.FailNext(1, tt.failure)

			_, err := c.Send(context.Background(), outbound())
			se := sendError(t, err)
			if se.Status != tt.status || se.Code != tt.code || se.Temporary != tt.temporary || se.Message == "" {
				t.Errorf("error = %+v, want status %d code %d temporary %v and a message",
					se, tt.status, tt.code, tt.temporary)
			}
			if _, err := c.Send(context.Background(), outbound()); err != nil {
				t.Errorf("Send after the scripted failure: %v", err)
			}
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("server holds %d messages, want 1", n)
			}
		})
	}
}

func TestSendUnsubscribedReason(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.FailNext(1, smstest.Unsubscribed)

	_, err := c.Send(context.Background(), outbound())
	if se := sendError(t, err); !strings.Contains(se.Message, "opted out") {
		t.Errorf("message = %q, want it to say the recipient opted out", se.Message)
	}
}

func TestSendRefusedByTwilioValidation(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	out := outbound()
	out.To = "07700 900123" // not E.164

	_, err := c.Send(context.Background(), out)
	se := sendError(t, err)
	if se.Status != 400 || se.Code != 21211 || se.Temporary {
		t.Errorf("error = %+v, want permanent 400 code 21211", se)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d messages", n)
	}
}

func TestSendRefusedBeforeRequest(t *testing.T) {
	t.Parallel()
	tests := map[string]func(*sms.Outbound){
		"no recipient": func(o *sms.Outbound) { o.To = "" },
		"no sender":    func(o *sms.Outbound) { o.From = "" },
		"empty body":   func(o *sms.Outbound) { o.Body = "" },
		"body too long": func(o *sms.Outbound) {
			o.Body = strings.Repeat("😀", sms.MaxBody/2) + "!"
		},
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t)
			out := outbound()
			change(&out)

			_, err := c.Send(context.Background(), out)
			if se := sendError(t, err); se.Temporary || se.Message == "" {
				t.Errorf("error = %+v, want a permanent error with a message", se)
			}
			if n := srv.Requests(); n != 0 {
				t.Errorf("server saw %d requests, want none", n)
			}
		})
	}
}

func TestSendLongestBody(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	out := outbound()
	out.Body = strings.Repeat("😀", sms.MaxBody/2)

	if _, err := c.Send(context.Background(), out); err != nil {
		t.Fatalf("Send of %d characters: %v", sms.Width(out.Body), err)
	}
	if got := srv.Messages()[0].Body; got != out.Body {
		t.Errorf("server got a body of %d characters, want %d", sms.Width(got), sms.Width(out.Body))
	}
}

func TestSendCanceled(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := c.Send(ctx, outbound())
	if se := sendError(t, err); !se.Temporary || !errors.Is(err, context.Canceled) {
		t.Errorf("error = %+v (%v), want temporary and context.Canceled", se, err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d messages", n)
	}
}

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, body string) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: status,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(body)),
			Request:    r,
		}, nil
	}
}

func TestSendRewritesBaseURL(t *testing.T) {
	t.Parallel()
	var got string
	ok := answer(201, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`)
	c := newClient(t, sms.Config{
		AccountSID: accountSID,
		AuthToken:  authToken,
		APIURL:     "http://twilio.fake.test:8081/prefix/",
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.URL.String()
			return ok(r)
		}),
	})

	if _, err := c.Send(context.Background(), outbound()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := "http://twilio.fake.test:8081/prefix/2010-04-01/Accounts/" + accountSID + "/Messages.json"
	if got != want {
		t.Errorf("request went to %s, want %s", got, want)
	}
}

func TestSendUnreadableAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		temporary bool
	}{
		{"gateway page", 502, "<html>Bad Gateway</html>", true},
		{"proxy refusal", 403, "Forbidden", false},
		{"accepted but garbled", 201, "{not json", false},
		{"accepted without sid", 201, `{"status":"queued"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, sms.Config{
				AccountSID: accountSID, AuthToken: authToken, Transport: answer(tt.status, tt.body),
			})
			_, err := c.Send(context.Background(), outbound())
			se := sendError(t, err)
			if se.Status != tt.status || se.Temporary != tt.temporary {
				t.Errorf("error = %+v, want status %d temporary %v", se, tt.status, tt.temporary)
			}
		})
	}
}

func TestNewClientRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]sms.Config{
		"no account":    {AuthToken: authToken},
		"no token":      {AccountSID: accountSID},
		"relative URL":  {AccountSID: accountSID, AuthToken: authToken, APIURL: "/2010-04-01"},
		"ftp URL":       {AccountSID: accountSID, AuthToken: authToken, APIURL: "ftp://twilio.fake.test"},
		"malformed URL": {AccountSID: accountSID, AuthToken: authToken, APIURL: "http://[::1"},
	}
	for name, cfg := range tests {
		if _, err := sms.NewClient(cfg); err == nil {
			t.Errorf("%s: NewClient succeeded, want an error", name)
		}
	}
}

func TestSendRateLimitKeepsRetryAfter(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]time.Duration{
		"":     0,
		"7":    7 * time.Second,
		"-3":   0,
		"soon": 0,
		time.Now().Add(time.Hour).UTC().Format(http.TimeFormat): time.Hour,
	} {
		c := newClient(t, sms.Config{AccountSID: accountSID, AuthToken: authToken, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := answer(http.StatusTooManyRequests, `{"code":20429,"message":"Too Many Requests","status":429}`)(r)
			if header != "" {
				resp.Header.Set("Retry-After", header)
			}
			return resp, err
		})})
		_, err := c.Send(context.Background(), outbound())
		se := sendError(t, err)
		if !se.Temporary || se.RetryAfter > want || se.RetryAfter < want-time.Minute {
			t.Errorf("Retry-After %q: temporary %v, RetryAfter %s; want temporary, about %s", header, se.Temporary, se.RetryAfter, want)
		}
	}
}
