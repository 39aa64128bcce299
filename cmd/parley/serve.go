package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/workflow"
)

// serve runs the HTTP server, the event feed and the job workers until ctx ends.
func serve(ctx context.Context, c *cli) error {
	fs := c.flags("serve", "serve [--jobs=false]")
	work := fs.Bool("jobs", true, "work background jobs in this process (false: serve HTTP only, another process works the jobs)")
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
}

// assemble opens every channel and wires the parts of a server process; nothing runs yet.
func (a *app) assemble(ctx context.Context) (server, error) {
	relay := pgrelay.New(a.pool, a.log) // the one LISTEN connection: change events and presence
	feed := inbox.NewFeed(relay, a.log)
	wcfg := workflow.Config{Pool: a.pool, Store: a.store, Logger: a.log, PublicURL: a.cfg.PublicURL, Meter: a.meter}
	jobs, err := workflow.NewEnqueuer(a.pool)
	if err != nil {
		return server{}, err
	}
	surveys := workflow.NewSurveys(a.store)
	env := channels.Env{Store: a.store, Meter: a.meter, Pool: a.pool, Events: feed, Relay: relay, Jobs: jobs, Surveys: surveys,
		Logger: a.log, PublicURL: a.cfg.PublicURL, SecretKey: a.cfg.SecretKey, TwilioAPIURL: a.cfg.TwilioAPIURL,
		SlackAPIURL: a.cfg.SlackAPIURL}
	var routes []channels.Route
	var problems []channels.ProblemSource
	for _, ch := range channelList() {
		p, err := ch.Open(ctx, env)
		if err != nil {
			return server{}, fmt.Errorf("%s channel: %w", ch.Kind(), err)
		}
		routes = append(routes, p.Routes...)
		if p.Problems != nil {
			problems = append(problems, p.Problems)
		}
		wcfg.AddChannel(ch.Kind(), p)
	}
	mailer, err := email.NewSystemMailer(email.SystemMailConfig{Store: a.store, URL: a.cfg.SMTPURL, From: a.cfg.MailFrom})
	if err != nil {
		return server{}, fmt.Errorf("PARLEY_SMTP_URL: %w", err)
	}
	wcfg.Workers = append(wcfg.Workers, workflow.NewResetMailWorker(a.store, mailer, a.cfg.PublicURL))
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
	srv := web.New(web.Config{Store: a.store, Pool: a.pool, Events: feed, Relay: relay, Logger: a.log,
		Rules: workflow.NewRules(a.pool, a.store), SLA: workflow.NewSLA(a.pool, a.store), Surveys: surveys,
		Routes: routes, PublicURL: a.cfg.PublicURL, TrustedProxies: a.cfg.TrustedProxies, OIDC: a.cfg.OIDC,
		MetricsToken: a.cfg.MetricsToken, Registry: a.registry, Resets: workflow.NewPasswordResets(a.store, jobs), JobsUI: jobsPage, Problems: problems})
	return server{relay: relay, feed: feed, client: client, web: srv}, nil
}

// serve runs every part of a server process on ln until ctx ends, then shuts down in order:
// stop taking requests, finish the running jobs, close the sockets.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts, err := a.assemble(ctx)
	if err != nil {
		return err
	}
	relay, client, srv := parts.relay, parts.client, parts.web
	httpSrv := newHTTPServer(srv.Handler(), serverLimits())
	errc := make(chan error, 5)
	metricsSrv, err := a.serveMetrics(srv, errc)
	if err != nil {
		return err
	}
	go func() { errc <- relay.Run(ctx) }()
	if !a.noJobs {
		if err := client.Start(ctx); err != nil {
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
	shut, done := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer done()
	_ = httpSrv.Shutdown(shut)
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shut)
	}
	srv.Shutdown(shut)
	if !a.noJobs {
		if stopErr := client.Stop(shut); stopErr != nil {
			a.log.Warn("jobs did not stop cleanly", "err", stopErr)
		}
	}
	cancel()
	return err
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
