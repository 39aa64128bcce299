package chat

import (
	"context"
	"slices"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Channel is the website chat as cmd/parley plugs it in (channels.Channel). Its fields are the
// limits of its Server (zero: the defaults).
type Channel struct {
	Limits   Limits        // sockets and new visitors per source address
	Messages LimiterConfig // frames per visitor
}

// NewChannel returns the website chat channel.
func NewChannel() *Channel { return &Channel{} }

// Kind is inbox.ChannelChat.
func (*Channel) Kind() inbox.Channel { return inbox.ChannelChat }

// Open gives a server process its chat Server (see Parts) and relays agents' typing to the
// visitors; the sockets close and the relay stops when ctx ends.
func (ch *Channel) Open(ctx context.Context, env channels.Env) (channels.Parts, error) {
	srv, err := New(Config{Store: env.Store, Meter: env.Meter, Events: env.Events, Relay: env.Relay, Logger: env.Log(inbox.ChannelChat),
		TokenSecret: env.SecretKey, PublicURL: env.PublicURL, Surveys: env.Surveys, Limits: ch.Limits, Limiter: ch.Messages})
	if err != nil {
		return channels.Parts{}, err
	}
	srv.CloseOnDone(ctx)
	p := srv.Parts(env.Jobs)
	p.Admin = NewAdmin(env.Store, env.PublicURL)
	return p, nil
}

// Parts is what the server contributes to a server process: the widget, the demo page and the
// visitor socket, the visitors' uploads and files, the chat sender (scheduling email
// fallbacks with jobs), and the workers of the fallback job and the hourly prune of uploads.
func (s *Server) Parts(jobs JobInserter) channels.Parts {
	handlers := s.Handlers()
	patterns := make([]string, 0, len(handlers))
	for p := range handlers {
		patterns = append(patterns, p)
	}
	slices.Sort(patterns)
	p := channels.Parts{Sender: s.Sender(jobs),
		Workers: []channels.Worker{channels.NewWorker(&fallbackWorker{store: s.store, visitors: s.visitors, log: s.log}),
			channels.NewWorker(&uploadPruneWorker{store: s.store, log: s.log})},
		PeriodicJobs: []*river.PeriodicJob{uploadPrunePeriodically()}}
	for _, pattern := range patterns {
		p.Routes = append(p.Routes, channels.Route{Pattern: pattern, Handler: handlers[pattern]})
	}
	return p
}

// The channel implements the contract.
var _ channels.Channel = (*Channel)(nil)
