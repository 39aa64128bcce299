package workflow

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
)

// Queues. Deliveries have their own so a slow provider never delays routing or SLA jobs.
const (
	QueueDefault = channels.QueueDefault
	QueueDeliver = channels.QueueDeliver
	// QueueTriage holds the triage jobs of new conversations, so that a burst of new customers
	// cannot fill the default queue. Most of its jobs find their conversation already taken
	// by another's batch and end at once; the batches themselves run two at a time (see
	// triageWorker).
	QueueTriage = "triage"
	// QueueDeadlines holds the SLA warnings and breaches, due at their instants, so that a
	// backlog of other work never makes a breach late.
	QueueDeadlines = "deadlines"
)

// Config builds the River client that runs Parley's jobs: the workflow's own and those of the
// channels, whose offer (channels.Parts) cmd/parley adds with AddChannel.
type Config struct {
	Pool   *pgxpool.Pool
	Store  *inbox.Store
	Logger *slog.Logger
	// Senders send the channels' replies (the deliver job), by channel; a channel without one
	// fails its deliveries.
	Senders map[inbox.Channel]channels.Sender
	// Fetchers fetch the files customers sent from the channels' providers (MMS media, Slack
	// files); a channel without one cancels those jobs.
	Fetchers map[inbox.Channel]channels.AttachmentFetcher
	// Alerter posts SLA warnings, breaches and escalations to a team's alert channel; nil
	// leaves them to the audit trail and the live events.
	Alerter Alerter
	// Workers, PeriodicJobs and Queues are the channels' own jobs (a mailbox poll, a Slack
	// profile lookup), run beside the workflow's.
	Workers      []channels.Worker
	PeriodicJobs []*river.PeriodicJob
	Queues       []channels.Queue
	// PublicURL is the server's public base URL, which survey links point to.
	PublicURL string
	// MaxWorkers per queue; 0 means 20.
	MaxWorkers int
	// FetchCooldown bounds the time between an insert and its work; 0 means 15 ms (River's
	// default of 100 ms would put that much latency on every reply).
	FetchCooldown time.Duration
	// Enqueuer is the one that routes at the store's ingest (inbox.Options.Router), if any: the
	// route worker shares its compiled rules, so that the process compiles each change of the
	// rules once. Nil gives the route worker a cache of its own.
	Enqueuer *Enqueuer
	// Meter counts SLA warnings and breaches; nil counts nothing.
	Meter Meter
	// Mailer sends Parley's own mail to agents (the weekly summary); nil cancels those jobs.
	Mailer Mailer
	// Media signs the public addresses of outgoing files for providers that fetch them
	// (channels.File.URL, under PublicURL); nil or no PublicURL gives them none.
	Media *medialink.Signer
}

// AddChannel adds what channel kind offers the River client: its sender, fetcher and alerter
// (the first channel's alerter is kept), and its workers, periodic jobs and queues.
func (c *Config) AddChannel(kind inbox.Channel, p channels.Parts) {
	if p.Sender != nil {
		if c.Senders == nil {
			c.Senders = map[inbox.Channel]channels.Sender{}
		}
		c.Senders[kind] = p.Sender
	}
	if p.Fetcher != nil {
		if c.Fetchers == nil {
			c.Fetchers = map[inbox.Channel]channels.AttachmentFetcher{}
		}
		c.Fetchers[kind] = p.Fetcher
	}
	if p.Alerter != nil && c.Alerter == nil {
		c.Alerter = p.Alerter
	}
	c.Workers = append(c.Workers, p.Workers...)
	c.PeriodicJobs = append(c.PeriodicJobs, p.PeriodicJobs...)
	c.Queues = append(c.Queues, p.Queues...)
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Meter == nil {
		c.Meter = noMeter{}
	}
	if c.MaxWorkers == 0 {
		c.MaxWorkers = 20
	}
	if c.FetchCooldown == 0 {
		c.FetchCooldown = 15 * time.Millisecond
	}
}

// Workers returns every worker a River client of cfg runs, one job kind each: the workflow's
// own, then the channels' (cfg.Workers). NewClient registers them; a test picks one with
// channels.Find and works single jobs with it through rivertest.
func Workers(cfg Config) ([]channels.Worker, error) {
	cfg.defaults()
	e, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	var shared *ruleCache
	if cfg.Enqueuer != nil {
		shared = &cfg.Enqueuer.rules
	}
	route := newRouteWorker(cfg.Store, cfg.Logger, shared)
	own := []channels.Worker{
		channels.NewWorker(&deliverWorker{Store: cfg.Store, Senders: cfg.Senders, Log: cfg.Logger,
			Media: cfg.Media, PublicURL: cfg.PublicURL}),
		channels.NewWorker(&fetchAttachmentWorker{Store: cfg.Store, Fetchers: cfg.Fetchers}),
		channels.NewWorker(route),
		channels.NewWorker(&triageWorker{route: route, e: e, log: cfg.Logger}),
		channels.NewWorker(&assignWorker{Store: cfg.Store, Log: cfg.Logger}),
		channels.NewWorker(&assignWaitingWorker{Store: cfg.Store, Log: cfg.Logger, Jobs: cfg.Pool}),
		channels.NewWorker(&slaComputeWorker{e: e}),
		channels.NewWorker(&slaProfileWorker{e: e}),
		channels.NewWorker(&slaWarningWorker{e: e}),
		channels.NewWorker(&slaBreachWorker{e: e}),
		channels.NewWorker(&slaAlertWorker{e: e}),
		channels.NewWorker(&escalateWorker{e: e}),
		channels.NewWorker(&autoCloseWorker{e: e}),
		channels.NewWorker(&snoozeWakeWorker{e: e}),
		channels.NewWorker(&surveyWorker{e: e}),
		channels.NewWorker(&weeklySummaryWorker{e: e, s: NewSLA(cfg.Pool, cfg.Store)}),
		channels.NewWorker(&summaryMailWorker{e: e, s: NewSLA(cfg.Pool, cfg.Store), mailer: cfg.Mailer}),
		channels.NewWorker(&contactReachFoldWorker{store: cfg.Store}),
		channels.NewWorker(&agentLoadFoldWorker{store: cfg.Store}),
		channels.NewWorker(&reportDaysWorker{store: cfg.Store}),
		channels.NewWorker(&notifyDigestWorker{e: e}),
		channels.NewWorker(&notifyMailWorker{e: e, mailer: cfg.Mailer}),
		channels.NewWorker(&notifyDigestMailWorker{e: e, mailer: cfg.Mailer}),
		channels.NewWorker(&awayWorker{store: cfg.Store}),
		channels.NewWorker(&pruneUploadsWorker{store: cfg.Store}),
	}
	return append(own, cfg.Workers...), nil
}

// NewClient returns a River client with every worker of cfg registered (see Workers), the
// default and deliver queues plus the channels', and the channels' periodic jobs. Start it
// to work jobs. Jobs time out after channels.JobTimeout and a job still running
// channels.RescueAfter after it began is taken for its dead process's and run again; a worker
// whose Timeout exceeds channels.JobTimeout is an error.
func NewClient(cfg Config) (*river.Client[pgx.Tx], error) {
	cfg.defaults()
	all, err := Workers(cfg)
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	for _, w := range all {
		if t := w.Timeout(); t < 0 || t > channels.JobTimeout {
			return nil, fmt.Errorf("workflow: river client: a worker's timeout of %s exceeds %s, which keeps it under River's rescue (%s)", t, channels.JobTimeout, channels.RescueAfter)
		}
		if err := w.Register(workers); err != nil {
			return nil, fmt.Errorf("workflow: river client: %w", err)
		}
	}
	queues := map[string]river.QueueConfig{
		QueueDefault:   {MaxWorkers: cfg.MaxWorkers},
		QueueTriage:    {MaxWorkers: cfg.MaxWorkers, FetchPollInterval: triagePoll},
		QueueDeadlines: {MaxWorkers: cfg.MaxWorkers},
		QueueDeliver:   {MaxWorkers: cfg.MaxWorkers},
	}
	for _, q := range cfg.Queues {
		if _, taken := queues[q.Name]; taken {
			return nil, fmt.Errorf("workflow: river client: queue %q declared twice", q.Name)
		}
		queues[q.Name] = river.QueueConfig{MaxWorkers: q.MaxWorkers}
	}
	c, err := river.NewClient(riverpgxv5.New(cfg.Pool), &river.Config{
		Logger:        cfg.Logger,
		FetchCooldown: cfg.FetchCooldown,
		Queues:        queues,
		Workers:       workers,
		PeriodicJobs: append(slices.Clip(cfg.PeriodicJobs), WeeklySummaryPeriodically(cfg.Store.Now),
			NotifyDigestPeriodically(cfg.Store.Now), ContactReachFoldPeriodically(), AgentLoadFoldPeriodically(), ReportDaysPeriodically(), PruneUploadsPeriodically()),
		JobTimeout:           channels.JobTimeout,
		RescueStuckJobsAfter: channels.RescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("workflow: river client: %w", err)
	}
	return c, nil
}
