package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// DefaultTimeout bounds one call to Twilio when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config is what a Client needs to reach Twilio.
type Config struct {
	// AccountSID is the Twilio account ("AC..."). Required.
	AccountSID string
	// AuthToken is the account's auth token. Required.
	AuthToken string
	// APIURL, when set, replaces the scheme, host and any leading path of
	// every request to Twilio (PARLEY_TWILIO_API_URL; tests and demos point
	// it at a fake such as smstest.Server).
	APIURL string
	// Transport carries the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Timeout bounds one call to Twilio; zero means DefaultTimeout.
	Timeout time.Duration
}

// Client sends SMS through Twilio's Messages API. It is safe for concurrent
// use.
type Client struct {
	accountSID string
	authToken  string
	transport  http.RoundTripper
	timeout    time.Duration
}

// NewClient checks cfg and returns a Client. It returns an error when the
// credentials are missing or APIURL is not an absolute http(s) URL.
func NewClient(cfg Config) (*Client, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("sms: new client: account SID and auth token are required")
	}
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	if cfg.APIURL != "" {
		base, err := url.Parse(cfg.APIURL)
		if err != nil {
			return nil, fmt.Errorf("sms: new client: API URL: %w", err)
		}
		if (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return nil, fmt.Errorf("sms: new client: API URL %q is not an absolute http(s) URL", cfg.APIURL)
		}
		transport = rewriteTransport{base: base, next: transport}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{
		accountSID: cfg.AccountSID,
		authToken:  cfg.AuthToken,
		transport:  transport,
		timeout:    timeout,
	}, nil
}

// Outbound is one message to send.
type Outbound struct {
	// From is the sending number (E.164). Either From or
	// MessagingServiceSID is required; From wins when both are set.
	From string
	// MessagingServiceSID ("MG...") lets Twilio pick the sender.
	MessagingServiceSID string
	// To is the recipient (E.164). Required.
	To string
	// Body is the text, at most MaxBody characters (see Split).
	Body string
	// StatusCallback is the absolute URL Twilio posts delivery statuses to;
	// empty means none.
	StatusCallback string
	// MediaURLs are public addresses Twilio fetches the message's files from
	// (an MMS), at most MaxMedia; with them Body may be empty.
	MediaURLs []string
}

// Sent is Twilio's answer to an accepted message.
type Sent struct {
	// SID is Twilio's message id ("SM..."), the key of later status
	// callbacks.
	SID string
	// Status is the initial status: "queued", or "accepted" through a
	// messaging service.
	Status string
}

// Send posts one message to Twilio. Every failure is a *SendError; its
// Temporary field says whether sending again may succeed. A body longer than
// MaxBody is refused before any request is made.
func (c *Client) Send(ctx context.Context, out Outbound) (Sent, error) {
	if err := out.validate(); err != nil {
		return Sent{}, err
	}
	// Cancelling also closes the connection of an error answer, whose body
	// twilio-go leaves open.
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	api, call := c.service(ctx)
	msg, err := api.CreateMessage(out.params())
	if err != nil {
		se := classify(err, call.status)
		if se.Temporary {
			se.RetryAfter = call.retryAfter
		}
		return Sent{}, se
	}
	if msg.Sid == nil || *msg.Sid == "" {
		return Sent{}, classify(errors.New("answer has no sid"), call.status)
	}
	sent := Sent{SID: *msg.Sid}
	if msg.Status != nil {
		sent.Status = *msg.Status
	}
	return sent, nil
}

// service returns the twilio-go API service for one call and the transport
// that carries it. twilio-go builds its requests without a context, so each
// call gets its own transport that attaches ctx and remembers the HTTP status.
// This is the service twilio.NewRestClientWithParams puts in its Api field,
// with a handler built directly so that no TWILIO_EDGE or TWILIO_REGION
// variable moves the host behind the caller's back.
func (c *Client) service(ctx context.Context) (*openapi.ApiService, *callTransport) {
	call := &callTransport{ctx: ctx, next: c.transport}
	base := &client.Client{
		Credentials: client.NewCredentials(c.accountSID, c.authToken),
		HTTPClient: &http.Client{
			Transport: call,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	base.SetAccountSid(c.accountSID)
	return openapi.NewApiService(&client.RequestHandler{Client: base}), call
}

func (out Outbound) validate() error {
	var reason string
	switch {
	case out.To == "":
		reason = "The message has no recipient."
	case out.From == "" && out.MessagingServiceSID == "":
		reason = "The message has no sender number or messaging service."
	case out.Body == "" && len(out.MediaURLs) == 0:
		reason = describe(codeBodyRequired)
	case len(out.MediaURLs) > MaxMedia:
		reason = fmt.Sprintf("An MMS carries at most %d files.", MaxMedia)
	case Width(out.Body) > MaxBody:
		reason = describe(codeBodyTooLong)
	default:
		return nil
	}
	return &SendError{Message: reason, err: errors.New("invalid message")}
}

func (out Outbound) params() *openapi.CreateMessageParams {
	p := (&openapi.CreateMessageParams{}).SetTo(out.To)
	if out.Body != "" {
		p.SetBody(out.Body)
	}
	if len(out.MediaURLs) > 0 {
		p.SetMediaUrl(out.MediaURLs)
	}
	if out.From != "" {
		p.SetFrom(out.From)
	}
	if out.MessagingServiceSID != "" {
		p.SetMessagingServiceSid(out.MessagingServiceSID)
	}
	if out.StatusCallback != "" {
		p.SetStatusCallback(out.StatusCallback)
	}
	return p
}
