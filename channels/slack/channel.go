package slack

import (
	"context"
	"net/http"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Channel is the Slack channel as cmd/parley plugs it in (channels.Channel).
type Channel struct{}

// NewChannel returns the Slack channel.
func NewChannel() *Channel { return &Channel{} }

// Kind is inbox.ChannelSlack.
func (*Channel) Kind() inbox.Channel { return inbox.ChannelSlack }

// Open gives a server process the Events API webhook of every Slack inbox and its
// interactivity endpoint (survey buttons), the sender of replies, the fetcher of shared files,
// the alerter that posts SLA alerts to the teams' alert channels, and the channel's jobs: the
// profile lookups of new contacts (ProfileArgs), the notes to clicking members (RespondArgs) and
// the hourly prune of handled event ids (PruneArgs).
func (*Channel) Open(_ context.Context, env channels.Env) (channels.Parts, error) {
	log := env.Log(inbox.ChannelSlack)
	cfg := HandlerConfig{Store: env.Store, Jobs: env.Jobs, Logger: log, APIURL: env.SlackAPIURL, Surveys: env.Surveys}
	return channels.Parts{
		Routes: []channels.Route{
			{Pattern: http.MethodPost + " " + EventsPath, Handler: NewHandler(cfg)},
			{Pattern: http.MethodPost + " " + InteractionsPath, Handler: NewInteractions(cfg)},
		},
		Sender:  NewSender(env.Store, env.SlackAPIURL),
		Fetcher: NewFiles(env.Store, env.SlackAPIURL),
		Alerter: NewAlerter(env.Store, env.SlackAPIURL, env.PublicURL, log),
		Workers: []channels.Worker{
			channels.NewWorker(&profileWorker{store: env.Store, profiles: NewProfiles(env.Store, env.SlackAPIURL), log: log}),
			channels.NewWorker(&respondWorker{responder: NewResponder(env.SlackAPIURL)}),
			channels.NewWorker(&pruneWorker{store: env.Store, events: NewEventLog(env.Pool), log: log}),
		},
		PeriodicJobs: []*river.PeriodicJob{prunePeriodically()},
		Admin:        NewAdmin(env.Store, env.SlackAPIURL),
	}, nil
}

// The channel implements the contract.
var _ channels.Channel = (*Channel)(nil)
