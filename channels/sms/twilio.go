package sms

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// The paths Twilio posts to, below the public URL.
const (
	// InboundPath receives incoming messages: set it as the number's (or
	// messaging service's) "A message comes in" webhook.
	InboundPath = "/webhooks/twilio/sms"
	// StatusPath receives delivery status callbacks; Parley names it in
	// every message it sends.
	StatusPath = "/webhooks/twilio/status"
)

// TwilioConfig is what a Twilio needs.
type TwilioConfig struct {
	// Store is the inbox messages go into and come from. Required.
	Store *inbox.Store
	// PublicURL is the URL Twilio reaches Parley at (PARLEY_PUBLIC_URL):
	// webhook signatures are checked against it and status callbacks point
	// to it. Required.
	PublicURL string
	// APIURL points the Twilio client elsewhere (PARLEY_TWILIO_API_URL);
	// empty means Twilio itself.
	APIURL string
	// Transport carries requests to Twilio; nil means the default.
	Transport http.RoundTripper
	// Logger receives what is worth knowing but not answering; nil
	// discards it.
	Logger *slog.Logger
	// Jobs enqueues the fetch of an MMS's media in the transaction that
	// stores the message (channels.FetchAttachmentArgs); nil leaves the media at
	// Twilio, linked from the message's metadata only.
	Jobs JobInserter
}

// JobInserter inserts a River job in the caller's transaction; the
// workflow's Enqueuer implements it.
type JobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error
}

// Twilio connects Twilio SMS to the inbox: its handlers take Twilio's
// webhooks (InboundHandler, StatusHandler) and its Send method is the
// channels.Sender that delivers SMS replies. Every SMS inbox (one Twilio
// number or messaging service each) is served by the one Twilio. It is safe
// for concurrent use.
type Twilio struct {
	store     *inbox.Store
	publicURL string
	apiURL    string
	transport http.RoundTripper
	log       *slog.Logger
	jobs      JobInserter
}

// NewTwilio checks cfg and returns a Twilio. It fails without a Store or a
// PublicURL.
func NewTwilio(cfg TwilioConfig) (*Twilio, error) {
	if cfg.Store == nil {
		return nil, errors.New("sms: channel: a store is required")
	}
	if cfg.PublicURL == "" {
		return nil, errors.New("sms: channel: the public URL (PARLEY_PUBLIC_URL) is required to check Twilio's signatures")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Twilio{
		store:     cfg.Store,
		publicURL: strings.TrimSuffix(cfg.PublicURL, "/"),
		apiURL:    cfg.APIURL,
		transport: cfg.Transport,
		log:       log,
		jobs:      cfg.Jobs,
	}, nil
}
