package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// serve runs the HTTP server, the event feed and the job workers until ctx ends.
func serve(ctx context.Context, c *cli) error {
	fs := c.flags("serve", "serve [--jobs=false] [--sandbox]")
	work := fs.Bool("jobs", true, "work background jobs in this process (false: serve HTTP only, another process works the jobs)")
	sandboxOn := fs.Bool("sandbox", false, "send every reply to fakes inside this server instead of Twilio, Slack and SMTP (demos; see /admin/sandbox)")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	a.noJobs = !*work
	applied, err := migrations.Apply(ctx, a.pool)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		a.log.Info("migrated", "applied", applied)
	}
	a.warnAutovacuum(ctx)
	if *sandboxOn {
		if err := a.startSandbox(); err != nil {
			return err
		}
		defer a.stopSandbox()
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return a.serve(ctx, ln)
}

// warnAutovacuum warns when autovacuum does not run for the busiest tables: their statistics
// then go stale and the inbox's queries slow down as they grow.
func (a *app) warnAutovacuum(ctx context.Context) {
	off, err := a.store.AutovacuumOff(ctx)
	switch {
	case err != nil:
		a.log.Warn("could not check autovacuum", "err", err)
	case len(off) == 1 && off[0] == "server":
		a.log.Warn("autovacuum is off on this PostgreSQL server: table statistics will go stale and the inbox will slow down as it grows; turn it on (autovacuum = on) or run ANALYZE regularly")
	case len(off) > 0:
		a.log.Warn("autovacuum is off for some tables: their statistics will go stale; turn it back on (ALTER TABLE ... RESET (autovacuum_enabled)) or run ANALYZE regularly", "tables", off)
	}
}

// server is one process's parts, wired: the LISTEN relay, the event feed, the job client (with
// every channel's workers) and the HTTP server (with every channel's routes).
type server struct {
	relay  *pgrelay.Relay
	feed   *inbox.Feed
	client *river.Client[pgx.Tx]
	web    *web.Server
	hooks  *webhook.Service
}

// assemble opens every channel and wires the parts of a server process; nothing runs yet.
func (a *app) assemble(ctx context.Context) (server, error) {
	relay := pgrelay.New(a.pool, a.log) // the one LISTEN connection: change events and presence
	feed := inbox.NewFeed(relay, a.log)
	wcfg := workflow.Config{Pool: a.pool, Store: a.store, Enqueuer: a.jobs, Logger: a.log, PublicURL: a.cfg.PublicURL, Meter: a.meter}
	if a.cfg.SecretKey != "" {
		// The config checked the key; a signer of a non-empty key cannot fail.
		wcfg.Media, _ = medialink.New(a.cfg.SecretKey, nil)
	}
	jobs := a.jobs
	surveys := workflow.NewSurveys(a.store)
	smtpRelay, imapRelay := a.sandboxRelays()
	env := channels.Env{Store: a.store, Meter: a.meter, Pool: a.pool, Events: feed, Relay: relay, Jobs: jobs, Surveys: surveys,
		Logger: a.log, PublicURL: a.cfg.PublicURL, SecretKey: a.cfg.SecretKey, TwilioAPIURL: a.cfg.TwilioAPIURL,
		SlackAPIURL: a.cfg.SlackAPIURL, SMTPRelay: smtpRelay, IMAPRelay: imapRelay}
	var routes []channels.Route
	var problems []channels.ProblemSource
	var admins []channels.InboxAdmin
	for _, ch := range channelList(a.cfg.Limits) {
		p, err := ch.Open(ctx, env)
		if err != nil {
			return server{}, fmt.Errorf("%s channel: %w", ch.Kind(), err)
		}
		routes = append(routes, p.Routes...)
		if p.Problems != nil {
			problems = append(problems, p.Problems)
		}
		if p.Admin != nil {
			admins = append(admins, p.Admin)
		}
		wcfg.AddChannel(ch.Kind(), p)
	}
	mailer, err := email.NewSystemMailer(email.SystemMailConfig{Store: a.store, URL: a.cfg.SMTPURL, From: a.cfg.MailFrom, SecretKey: a.cfg.SecretKey})
	if err != nil {
		return server{}, fmt.Errorf("PARLEY_SMTP_URL: %w", err)
	}
	wcfg.Workers = append(wcfg.Workers, workflow.NewResetMailWorker(a.store, mailer, a.cfg.PublicURL),
		workflow.NewFollowupNotifyWorker(a.store, mailer, a.cfg.PublicURL))
	wcfg.Mailer = mailer
	hooks, err := webhook.New(webhook.Config{Pool: a.pool, Store: a.store, SecretKey: a.cfg.SecretKey, Jobs: jobs,
		AllowPrivate: a.cfg.WebhookAllowPrivate, Logger: a.log, Metrics: a.meter})
	if err != nil {
		return server{}, err
	}
	problems = append(problems, webhookProblems(hooks))
	wcfg.Workers = append(wcfg.Workers, channels.NewWorker(hooks.Worker()), channels.NewWorker(hooks.PruneWorker()))
	wcfg.PeriodicJobs = append(wcfg.PeriodicJobs, webhook.PrunePeriodically())
	wcfg.Queues = append(wcfg.Queues, channels.Queue{Name: webhook.Queue, MaxWorkers: 10})
	client, err := workflow.NewClient(wcfg)
	if err != nil {
		return server{}, err
	}
	jobsPage, err := jobsUI(ctx, client, a.log)
	if err != nil {
		return server{}, err
	}
	if err := a.watchJobs(ctx, client); err != nil {
		return server{}, err
	}
	wc := web.Config{Store: a.store, Pool: a.pool, Events: feed, Relay: relay, Logger: a.log,
		Rules: workflow.NewRules(a.pool, a.store), SLA: workflow.NewSLA(a.pool, a.store), Surveys: surveys,
		Routes: routes, PublicURL: a.cfg.PublicURL, TrustedProxies: a.cfg.TrustedProxies, OIDC: a.cfg.OIDC,
		MetricsToken: a.cfg.MetricsToken, Registry: a.registry, MaxConnsPerIP: a.cfg.Limits.MaxConnsPerIP,
		Resets: workflow.NewPasswordResets(a.store, jobs), Away: workflow.NewAway(a.store, jobs, a.cfg.AwayAfter), Webhooks: hooks, JobsUI: jobsPage, Problems: problems,
		InboxAdmins: admins, Media: wcfg.Media, RewriteCIDs: email.RewriteCIDs}
	if a.sandbox != nil {
		wc.Sandbox = a.sandbox.Store()
	}
	srv := web.New(wc)
	return server{relay: relay, feed: feed, client: client, web: srv, hooks: hooks}, nil
}

// serve runs every part of a server process on ln until ctx ends (SIGTERM, SIGINT), then
// shuts down gracefully (see shutdown). The parts run on a context of their own, which ends
// only once the shutdown is over: a signal must not cut the requests and jobs in flight.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	run, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	// The channels' background work (the chat's visitor sockets) ends when the shutdown begins.
	channelsCtx, stopChannels := context.WithCancel(run)
	defer stopChannels()
	parts, err := a.assemble(channelsCtx)
	if err != nil {
		return err
	}
	relay, client, srv := parts.relay, parts.client, parts.web
	httpSrv := newHTTPServer(srv.Handler(), serverLimits())
	// Once the listener is closed, the sockets (which Shutdown does not track) are told the
	// server is going away, so that they reconnect to another process at once.
	httpSrv.RegisterOnShutdown(func() {
		stopChannels()
		closing, done := context.WithTimeout(run, a.cfg.ShutdownTimeout)
		defer done()
		srv.Shutdown(closing)
	})
	errc := make(chan error, 5)
	metricsSrv, err := a.serveMetrics(srv, errc)
	if err != nil {
		return err
	}
	go func() { errc <- relay.Run(run) }()
	if !a.noJobs {
		if err := client.Start(run); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
	}
	go func() {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	a.log.Info("parley serving", "addr", ln.Addr().String(), "public_url", a.cfg.PublicURL)

	select {
	case <-ctx.Done():
	case err = <-errc:
		a.log.Error("stopping", "err", err)
	}
	a.shutdown(httpSrv, metricsSrv, client)
	return err
}

// shutdown stops a server process within PARLEY_SHUTDOWN_TIMEOUT, all at once: the listeners
// close and the in-flight requests finish (the sockets close with 1001, see serve); the job
// client stops fetching and lets its running jobs finish, and when the deadline nears it
// cancels them (a cancelled job is retried, by another process if this one is gone). Whatever
// is still open at the deadline is closed.
func (a *app) shutdown(httpSrv, metricsSrv *http.Server, client *river.Client[pgx.Tx]) {
	timeout := a.cfg.ShutdownTimeout
	a.log.Info("shutting down", "timeout", timeout)
	shut, done := context.WithTimeout(context.Background(), timeout)
	defer done()
	var wg sync.WaitGroup
	for _, s := range []*http.Server{httpSrv, metricsSrv} {
		if s == nil {
			continue
		}
		wg.Go(func() {
			if err := s.Shutdown(shut); err != nil {
				a.log.Warn("requests still in flight at the shutdown deadline", "err", err)
				_ = s.Close()
			}
		})
	}
	if !a.noJobs {
		wg.Go(func() { a.stopJobs(shut, client, timeout) })
	}
	wg.Wait()
}

// stopJobs stops the job client: gracefully (running jobs finish) until a quarter of the
// timeout is left, then by cancelling the running jobs, which River then retries.
func (a *app) stopJobs(shut context.Context, client *river.Client[pgx.Tx], timeout time.Duration) {
	soft, done := context.WithTimeout(shut, timeout-timeout/4)
	defer done()
	if err := client.Stop(soft); err == nil {
		return
	}
	a.log.Warn("jobs still running near the shutdown deadline: cancelling them")
	if err := client.StopAndCancel(shut); err != nil {
		a.log.Warn("jobs did not stop by the shutdown deadline", "err", err)
	}
}

// serveMetrics starts the metrics listener of its own (PARLEY_METRICS_ADDR), if one is set, and
// returns its server for the shutdown; a failure to serve goes to errc.
func (a *app) serveMetrics(srv *web.Server, errc chan<- error) (*http.Server, error) {
	if a.cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	ms := newHTTPServer(srv.MetricsHandler(), serverLimits())
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics http: %w", err)
		}
	}()
	a.log.Info("metrics serving", "addr", ln.Addr().String())
	return ms, nil
}

// migrate applies the migrations and exits.
func migrate(ctx context.Context, c *cli) error {
	fs := c.flags("migrate", "migrate")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	applied, err := migrations.Apply(ctx, a.pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "migrated: %d new migration(s) applied\n", len(applied))
	return nil
}
