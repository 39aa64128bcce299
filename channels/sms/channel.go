package sms

import (
	"context"
	"net/http"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Channel is Twilio SMS as cmd/parley plugs it in (channels.Channel).
type Channel struct{}

// NewChannel returns the SMS channel.
func NewChannel() *Channel { return &Channel{} }

// Kind is inbox.ChannelSMS.
func (*Channel) Kind() inbox.Channel { return inbox.ChannelSMS }

// Open gives a server process the incoming-message and status webhooks of every SMS inbox and
// the Twilio connection that sends SMS replies and fetches MMS media. Without a public URL
// Twilio's signatures cannot be checked, so the channel stays off and says why.
func (*Channel) Open(_ context.Context, env channels.Env) (channels.Parts, error) {
	log := env.Log(inbox.ChannelSMS)
	if env.PublicURL == "" {
		log.Warn("SMS channel off: PARLEY_PUBLIC_URL is not set")
		return channels.Parts{Admin: NewAdmin(env.Store)}, nil
	}
	tw, err := NewTwilio(TwilioConfig{Store: env.Store, PublicURL: env.PublicURL, APIURL: env.TwilioAPIURL,
		Logger: log, Jobs: env.Jobs})
	if err != nil {
		return channels.Parts{}, err
	}
	return channels.Parts{
		Routes: []channels.Route{
			{Pattern: http.MethodPost + " " + InboundPath, Handler: tw.InboundHandler()},
			{Pattern: http.MethodPost + " " + StatusPath, Handler: tw.StatusHandler()},
		},
		Sender:  tw,
		Fetcher: tw,
		Admin:   NewAdmin(env.Store),
	}, nil
}

// The channel implements the contract.
var _ channels.Channel = (*Channel)(nil)
