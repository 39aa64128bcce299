package workflow

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Queues. Deliveries have their own so a slow provider never delays routing or SLA jobs.
const (
	QueueDefault = channels.QueueDefault
	QueueDeliver = channels.QueueDeliver
)

// Config builds the River client that runs Parley's jobs.
type Config struct {
	Pool    *pgxpool.Pool
	Store   *inbox.Store
	Senders map[inbox.Channel]channels.Sender
	Logger  *slog.Logger
	// SlackProfiles looks up new Slack contacts' profiles; nil cancels those jobs.
	SlackProfiles SlackProfiles
	// Fetchers fetch the files customers sent from the channels' providers (MMS media, Slack
	// files); a channel without one cancels those jobs.
	Fetchers map[inbox.Channel]channels.AttachmentFetcher
	// SlackResponder answers Slack clicks through their response_url; nil cancels those jobs.
	SlackResponder SlackResponder
	// SlackEvents prunes the handled Slack event ids hourly; nil schedules no prune.
	SlackEvents SlackEventPruner
	// ChatVisitors tells the chat email fallback whether a visitor saw a reply; nil cancels
	// those jobs.
	ChatVisitors ChatVisitors
	// Alerter posts SLA warnings, breaches and escalations to a team's alert channel; nil
	// leaves them to the audit trail and the live events.
	Alerter Alerter
	// PublicURL is the server's public base URL, which survey links point to.
	PublicURL string
	// Mailboxes reads the email inboxes (a poll job per inbox, see PollArgs); nil reads none.
	Mailboxes Mailboxes
	// MaxMailboxes is how many mailboxes one process reads at once; 0 means 50.
	MaxMailboxes int
	// MaxWorkers per queue; 0 means 20.
	MaxWorkers int
	// FetchCooldown bounds the time between an insert and its work; 0 means 15 ms (River's
	// default of 100 ms would put that much latency on every reply).
	FetchCooldown time.Duration
}

// NewClient returns a River client with every Parley worker registered. Start it to work jobs.
func NewClient(cfg Config) (*river.Client[pgx.Tx], error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = 20
	}
	if cfg.FetchCooldown == 0 {
		cfg.FetchCooldown = 15 * time.Millisecond
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &DeliverWorker{Store: cfg.Store, Senders: cfg.Senders, Log: cfg.Logger})
	river.AddWorker(workers, &SlackProfileWorker{Store: cfg.Store, Profiles: cfg.SlackProfiles, Log: cfg.Logger})
	river.AddWorker(workers, &FetchAttachmentWorker{Store: cfg.Store, Fetchers: cfg.Fetchers})
	river.AddWorker(workers, &RouteWorker{Store: cfg.Store, Log: cfg.Logger})
	river.AddWorker(workers, &AssignWorker{Store: cfg.Store, Log: cfg.Logger})
	river.AddWorker(workers, &AssignWaitingWorker{Store: cfg.Store, Log: cfg.Logger})
	if err := addLifecycleWorkers(workers, cfg); err != nil {
		return nil, err
	}
	river.AddWorker(workers, &ChatFallbackWorker{Store: cfg.Store, Visitors: cfg.ChatVisitors, Log: cfg.Logger})
	addMailboxWorkers(workers, cfg)
	addSlackWorkers(workers, cfg)
	c, err := river.NewClient(riverpgxv5.New(cfg.Pool), &river.Config{
		Logger:        cfg.Logger,
		FetchCooldown: cfg.FetchCooldown,
		Queues: map[string]river.QueueConfig{
			QueueDefault: {MaxWorkers: cfg.MaxWorkers},
			QueueDeliver: {MaxWorkers: cfg.MaxWorkers},
			QueueMailbox: mailboxQueue(cfg),
		},
		Workers:              workers,
		PeriodicJobs:         append(mailboxPeriodicJobs(cfg), slackPeriodicJobs(cfg)...),
		RescueStuckJobsAfter: mailboxRescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: river client: %w", err)
	}
	return c, nil
}
