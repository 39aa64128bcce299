package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/filestore"
	"github.com/parleyhq/parley/internal/meter"
	"github.com/parleyhq/parley/sandbox"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/workflow"
)

// config is the environment, parsed once.
type config struct {
	DatabaseURL  string
	Addr         string
	PublicURL    string
	SecretKey    string
	TwilioAPIURL string
	SlackAPIURL  string
	LogLevel     string
	LogFormat    string
	PhoneRegion  string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed (PARLEY_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// OIDC is single sign-on (PARLEY_OIDC_*); nil when PARLEY_OIDC_ISSUER is unset.
	OIDC *web.OIDCConfig
	// MetricsAddr is a listener of its own for /metrics (PARLEY_METRICS_ADDR; empty: none);
	// MetricsToken opens /metrics on the main listener to requests bearing it.
	MetricsAddr  string
	MetricsToken string
	// SMTPURL (PARLEY_SMTP_URL) is the mail server of Parley's own mail (password reset links);
	// empty uses the first email inbox's. MailFrom (PARLEY_MAIL_FROM) is its sender address.
	SMTPURL  string
	MailFrom string
	// ShutdownTimeout bounds a graceful stop (PARLEY_SHUTDOWN_TIMEOUT): in-flight requests,
	// sockets and running jobs must end within it.
	ShutdownTimeout time.Duration
	// Limits cap what one source address or chat visitor may take (limits.go).
	Limits limits
	// WebhookAllowPrivate (PARLEY_WEBHOOK_ALLOW_PRIVATE: 1 or true) lets outgoing webhooks
	// reach private, loopback and link-local addresses.
	WebhookAllowPrivate bool
	// PasswordCost is the bcrypt cost of new password hashes (PARLEY_PASSWORD_COST, 4 to 31;
	// 0 means bcrypt's default, 10).
	PasswordCost int
	// AwayAfter (PARLEY_AWAY_AFTER) is how long an available agent's tabs must all have been
	// closed before they are marked away (and made available again when they return); 0 turns
	// automatic away off.
	AwayAfter time.Duration
	// Files is the file store and its limits (files.go).
	Files filesConfig
}

// dbConnectTimeout bounds one connection attempt to PostgreSQL.
const dbConnectTimeout = 5 * time.Second

// defaultShutdownTimeout is PARLEY_SHUTDOWN_TIMEOUT's default.
const defaultShutdownTimeout = 30 * time.Second

func loadConfig(getenv env) (config, error) {
	c := config{
		DatabaseURL:  getenv("DATABASE_URL"),
		Addr:         or(getenv("PARLEY_ADDR"), ":8080"),
		PublicURL:    strings.TrimRight(getenv("PARLEY_PUBLIC_URL"), "/"),
		SecretKey:    getenv("PARLEY_SECRET_KEY"),
		TwilioAPIURL: getenv("PARLEY_TWILIO_API_URL"),
		SlackAPIURL:  getenv("PARLEY_SLACK_API_URL"),
		LogLevel:     or(getenv("PARLEY_LOG_LEVEL"), "info"),
		LogFormat:    or(getenv("PARLEY_LOG_FORMAT"), "text"),
		PhoneRegion:  or(getenv("PARLEY_PHONE_REGION"), inbox.DefaultRegion),
		MetricsAddr:  getenv("PARLEY_METRICS_ADDR"),
		MetricsToken: getenv("PARLEY_METRICS_TOKEN"),
		SMTPURL:      getenv("PARLEY_SMTP_URL"),
		MailFrom:     getenv("PARLEY_MAIL_FROM"),
	}
	c.WebhookAllowPrivate, _ = strconv.ParseBool(getenv("PARLEY_WEBHOOK_ALLOW_PRIVATE"))
	if c.SecretKey != "" {
		if err := inbox.CheckSecretKey(c.SecretKey); err != nil {
			return c, fmt.Errorf("%w (a weaker key in use: set the new one as PARLEY_SECRET_KEY and the old as PARLEY_SECRET_KEY_OLD, then run `parley secrets rotate`)", err)
		}
	}
	if c.SMTPURL != "" {
		if _, _, err := email.ParseSMTPURL(c.SMTPURL); err != nil {
			return c, fmt.Errorf("PARLEY_SMTP_URL must be smtp://user:password@host:port or smtps://user:password@host:port: %w", err)
		}
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL is not set (`make run` starts a local PostgreSQL and sets it)")
	}
	if c.PublicURL == "" {
		u, err := publicURLFor(c.Addr)
		if err != nil {
			return c, err
		}
		c.PublicURL = u
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("PARLEY_PUBLIC_URL must be an absolute http or https URL such as https://help.example.com, not %q", c.PublicURL)
	}
	var err error
	if c.ShutdownTimeout, err = shutdownTimeout(getenv("PARLEY_SHUTDOWN_TIMEOUT")); err != nil {
		return c, err
	}
	if c.AwayAfter, err = awayAfter(getenv("PARLEY_AWAY_AFTER")); err != nil {
		return c, err
	}
	if c.PasswordCost, err = passwordCost(getenv("PARLEY_PASSWORD_COST")); err != nil {
		return c, err
	}
	if c.TrustedProxies, err = trustedProxies(getenv("PARLEY_TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if c.Files, err = loadFilesConfig(getenv); err != nil {
		return c, err
	}
	if c.Limits, err = limitsConfig(getenv); err != nil {
		return c, err
	}
	if c.OIDC, err = oidcConfig(getenv); err != nil {
		return c, err
	}
	if err := c.checkMetrics(); err != nil {
		return c, err
	}
	return c, nil
}

// defaultAwayAfter is PARLEY_AWAY_AFTER's default.
const defaultAwayAfter = 10 * time.Minute

// awayAfter parses PARLEY_AWAY_AFTER: a duration such as "10m"; "0" turns automatic away off;
// empty is defaultAwayAfter.
func awayAfter(v string) (time.Duration, error) {
	if v == "" {
		return defaultAwayAfter, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("PARLEY_AWAY_AFTER must be a duration such as 10m or 1h (0 turns automatic away off), not %q", v)
	}
	return d, nil
}

// passwordCost parses PARLEY_PASSWORD_COST: bcrypt's cost, 4 to 31; empty is 0 (the default).
func passwordCost(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < bcrypt.MinCost || n > bcrypt.MaxCost {
		return 0, fmt.Errorf("PARLEY_PASSWORD_COST must be a bcrypt cost from %d to %d (default %d), not %q",
			bcrypt.MinCost, bcrypt.MaxCost, bcrypt.DefaultCost, v)
	}
	return n, nil
}

// shutdownTimeout parses PARLEY_SHUTDOWN_TIMEOUT: a duration such as "30s" or "1m", or a
// number of seconds; empty is defaultShutdownTimeout.
func shutdownTimeout(v string) (time.Duration, error) {
	if v == "" {
		return defaultShutdownTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(v); err != nil && nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("PARLEY_SHUTDOWN_TIMEOUT must be a positive duration such as 30s or 1m, not %q", v)
	}
	return d, nil
}

// trustedProxies parses PARLEY_TRUSTED_PROXIES: CIDR ranges (or single addresses) separated by
// commas or spaces, such as "10.0.0.0/8, 192.168.1.7".
func trustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("PARLEY_TRUSTED_PROXIES: %q is not an IP address or a CIDR range such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// oidcConfig reads single sign-on's settings. The client secret comes from
// PARLEY_OIDC_CLIENT_SECRET or, to keep it out of the environment, the file named by
// PARLEY_OIDC_CLIENT_SECRET_FILE.
func oidcConfig(getenv env) (*web.OIDCConfig, error) {
	issuer := strings.TrimSpace(getenv("PARLEY_OIDC_ISSUER"))
	if issuer == "" {
		return nil, nil
	}
	if u, err := url.Parse(issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("PARLEY_OIDC_ISSUER must be the provider's issuer URL such as https://login.example.com, not %q", issuer)
	}
	c := &web.OIDCConfig{Issuer: issuer, ClientID: getenv("PARLEY_OIDC_CLIENT_ID"), ClientSecret: getenv("PARLEY_OIDC_CLIENT_SECRET"),
		JITRole: inbox.Role(getenv("PARLEY_OIDC_JIT_ROLE"))}
	if c.ClientID == "" {
		return nil, errors.New("PARLEY_OIDC_ISSUER is set but PARLEY_OIDC_CLIENT_ID is not")
	}
	if file := getenv("PARLEY_OIDC_CLIENT_SECRET_FILE"); file != "" {
		if c.ClientSecret != "" {
			return nil, errors.New("set PARLEY_OIDC_CLIENT_SECRET or PARLEY_OIDC_CLIENT_SECRET_FILE, not both")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("PARLEY_OIDC_CLIENT_SECRET_FILE: %w", err)
		}
		c.ClientSecret = strings.TrimSpace(string(b))
	}
	if c.ClientSecret == "" {
		return nil, errors.New("PARLEY_OIDC_ISSUER is set but neither PARLEY_OIDC_CLIENT_SECRET nor PARLEY_OIDC_CLIENT_SECRET_FILE is")
	}
	if c.JITRole != "" && !c.JITRole.Valid() {
		return nil, fmt.Errorf("PARLEY_OIDC_JIT_ROLE must be agent, supervisor or admin (or unset to refuse unknown emails), not %q", c.JITRole)
	}
	return c, nil
}

// minMetricsToken is the shortest PARLEY_METRICS_TOKEN taken: it guards /metrics on the public
// listener, so it must not be guessable.
const minMetricsToken = 24

// checkMetrics validates where /metrics is served: PARLEY_METRICS_ADDR a host:port other than
// PARLEY_ADDR, PARLEY_METRICS_TOKEN long and free of spaces.
func (c config) checkMetrics() error {
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("PARLEY_METRICS_ADDR %q is not host:port or :port: %w", c.MetricsAddr, err)
		}
		if c.MetricsAddr == c.Addr {
			return fmt.Errorf("PARLEY_METRICS_ADDR must differ from PARLEY_ADDR (%s): it is a listener of its own", c.Addr)
		}
	}
	if t := c.MetricsToken; t != "" && (len(t) < minMetricsToken || strings.ContainsAny(t, " \t\r\n")) {
		return fmt.Errorf("PARLEY_METRICS_TOKEN must be at least %d characters without spaces (try `openssl rand -hex 32`)", minMetricsToken)
	}
	return nil
}

// publicURLFor derives the default public URL from the listen address: http on the address's
// host and port, with localhost for an address that listens on every interface (":8080",
// "0.0.0.0:8080", "[::]:8080").
func publicURLFor(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("PARLEY_ADDR %q is not host:port or :port: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (c config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("PARLEY_LOG_LEVEL: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("PARLEY_LOG_FORMAT must be text or json, not %q", c.LogFormat)
}

// app is the parts every verb that touches the database shares.
type app struct {
	cfg   config
	log   *slog.Logger
	pool  *pgxpool.Pool
	store *inbox.Store
	// jobs is the store's Enqueuer (its Jobs and its Router), which the server's channels,
	// webhooks and route worker share.
	jobs *workflow.Enqueuer
	// noJobs serves without working background jobs (parley serve --jobs=false).
	noJobs bool
	// registry holds the process's Prometheus series; meter is the operational part of them.
	registry *prometheus.Registry
	meter    *meter.Meter
	// sandbox is the fake providers of `parley serve --sandbox`; nil when off.
	sandbox *sandbox.Sandbox
}

// openWith parses a verb's flags, then opens the database (see open): how every verb that works
// on the data starts. The caller closes the app.
func openWith(ctx context.Context, c *cli, fs *flag.FlagSet) (*app, error) {
	if err := fs.Parse(c.args); err != nil {
		return nil, err
	}
	return open(ctx, c)
}

// open connects to the database and builds the store; close it with app.close.
func open(ctx context.Context, c *cli) (*app, error) {
	cfg, err := loadConfig(c.getenv)
	if err != nil {
		return nil, err
	}
	log, err := cfg.logger(c.stderr)
	if err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if pcfg.MaxConns < 40 {
		pcfg.MaxConns = 40
	}
	// A PostgreSQL that cannot be reached fails a connection attempt within dbConnectTimeout,
	// so requests answer 503 rather than wait (a DATABASE_URL with connect_timeout keeps it).
	if pcfg.ConnConfig.ConnectTimeout == 0 {
		pcfg.ConnConfig.ConnectTimeout = dbConnectTimeout
	}
	// Parley's queries are short, and some estimates are poor (a word prefix in a search), which
	// can lift a query's cost past PostgreSQL's JIT threshold: compiling it then takes longer
	// than running it (a search at a million conversations: 87 ms with JIT, 2.6 ms without).
	// A DATABASE_URL that sets jit itself keeps its choice.
	if _, set := pcfg.ConnConfig.RuntimeParams["jit"]; !set {
		pcfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	committers, _ := strconv.Atoi(c.getenv("PARLEY_INGEST_COMMITTERS"))
	reg := prometheus.NewRegistry()
	m := meter.New(reg)
	files, err := filestore.Open(cfg.Files.Store, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	store := inbox.New(pool, inbox.Options{Committers: committers, Jobs: jobs, Router: jobs, Logger: log, SecretKey: cfg.SecretKey, PhoneRegion: cfg.PhoneRegion,
		Interceptor: workflow.SurveyInterceptor{}, ReplyChecker: sms.OptOutCheck{}, Meter: m, PasswordCost: cfg.PasswordCost,
		Files: files, MaxFileSize: cfg.Files.MaxFile, MaxMessageFiles: cfg.Files.MaxMessage})
	return &app{cfg: cfg, log: log, pool: pool, store: store, jobs: jobs, registry: reg, meter: m}, nil
}

func (a *app) close() { a.pool.Close() }
