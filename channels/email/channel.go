package email

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Channel is email as cmd/parley plugs it in (channels.Channel).
type Channel struct{}

// NewChannel returns the email channel.
func NewChannel() *Channel { return &Channel{} }

// Kind is inbox.ChannelEmail.
func (*Channel) Kind() inbox.Channel { return inbox.ChannelEmail }

// Open gives a server process the SMTP sender of email replies and the mailbox jobs: a poll
// job per email inbox (PollArgs, in QueueMailbox) and the sweep that starts them
// (PollSweepArgs); with env.SMTPRelay and env.IMAPRelay set (the sandbox) every reply goes to
// that SMTP server and every mailbox is read from that IMAP server.
// Without PARLEY_SECRET_KEY no mailbox password can be opened, so the channel stays off and
// says why: it sends nothing, schedules no sweep, and its poll jobs end.
func (*Channel) Open(_ context.Context, env channels.Env) (channels.Parts, error) {
	log := env.Log(inbox.ChannelEmail)
	if env.SecretKey == "" {
		log.Warn("email channel off: PARLEY_SECRET_KEY is not set")
		p := parts(env.Store, nil, nil)
		p.Problems = func(ctx context.Context) ([]channels.Problem, error) {
			return problems(ctx, env.Store, "PARLEY_SECRET_KEY is not set", nil)
		}
		return p, nil
	}
	scfg := SenderConfig{Store: env.Store, Logger: log, SecretKey: env.SecretKey}
	if env.SMTPRelay != "" {
		relay, _, err := ParseSMTPURL(env.SMTPRelay)
		if err != nil {
			return channels.Parts{}, fmt.Errorf("email: SMTP relay: %w", err)
		}
		relay.Username = ""
		scfg.Relay = &relay
		log.Info("email replies go to the SMTP relay, not to the inboxes' servers", "relay", relay.Addr())
	}
	sender := NewSender(scfg)
	fcfg := FetcherConfig{Store: env.Store, Logger: log, SecretKey: env.SecretKey}
	if env.IMAPRelay != "" {
		relay, _, err := ParseIMAPURL(env.IMAPRelay)
		if err != nil {
			return channels.Parts{}, fmt.Errorf("email: IMAP relay: %w", err)
		}
		fcfg.Relay = &relay
		log.Info("mailboxes are read from the IMAP relay, not from the inboxes' servers", "relay", relay.Addr())
	}
	fetcher := NewFetcher(fcfg)
	return parts(env.Store, sender, fetcher), nil
}

// parts is what the channel contributes with sender and fetcher (both nil when it is off).
func parts(store *inbox.Store, sender *Sender, fetcher *Fetcher) channels.Parts {
	p := channels.Parts{
		Admin:   NewAdmin(store, AdminConfig{}),
		Workers: []channels.Worker{channels.NewWorker(&pollSweepWorker{store: store})},
		Queues:  []channels.Queue{{Name: QueueMailbox, MaxWorkers: maxMailboxes}},
	}
	if fetcher == nil {
		p.Workers = append(p.Workers, channels.NewWorker(&pollWorker{}))
		return p
	}
	p.Sender = sender
	p.Problems = func(ctx context.Context) ([]channels.Problem, error) { return problems(ctx, store, "", fetcher.oauth) }
	p.Workers = append(p.Workers, channels.NewWorker(&pollWorker{mailboxes: fetcher}))
	p.PeriodicJobs = []*river.PeriodicJob{sweepPeriodically()}
	return p
}

// The channel implements the contract.
var _ channels.Channel = (*Channel)(nil)
