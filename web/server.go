package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/internal/netlimit"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// EventSource is where live events come from: the process's inbox.Feed.
type EventSource interface {
	Subscribe(fn func(inbox.Event)) (cancel func())
}

// Config is what the web layer is built from.
type Config struct {
	Store  *inbox.Store
	Pool   *pgxpool.Pool
	Events EventSource
	// Relay is the process's one LISTEN connection: the agents' presence of every process
	// arrives through it. Nil hears no presence (PresenceReady never closes).
	Relay  *pgrelay.Relay
	Logger *slog.Logger
	// Rules, SLA and Surveys are the workflow's services that the pages and the API serve
	// (routing rules, SLA policies and reports, the survey form); required, built by cmd.
	Rules   *workflow.Rules
	SLA     *workflow.SLA
	Surveys *workflow.Surveys
	// Routes are the channels' handlers (webhooks, the chat widget and socket), from their
	// channels.Parts.
	Routes []channels.Route
	// Registry collects the Prometheus metrics served on /metrics; nil makes a new one.
	Registry *prometheus.Registry
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
	// PublicURL is the server's public base URL (PARLEY_PUBLIC_URL); https makes cookies Secure
	// and every response carry Strict-Transport-Security.
	PublicURL string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed (PARLEY_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// OIDC configures single sign-on; nil turns it off.
	OIDC *OIDCConfig
	// MetricsToken, when set, opens GET /metrics on the main handler to requests that bear it
	// (PARLEY_METRICS_TOKEN); without it /metrics is there only on MetricsHandler.
	MetricsToken string
	// Resets takes "Forgot password?" requests; nil hides the form (it answers 404).
	Resets *workflow.PasswordResets
	// Away is automatic away: told when an agent's last socket on this process closes and when
	// one opens; nil turns it off.
	Away *workflow.Away
	// MaxConnsPerIP caps the requests one source address (behind TrustedProxies, the one
	// they forward) may have in flight at once on the public endpoints: the channels' routes
	// (webhooks, the chat widget and socket handshake), sign-in, password reset and surveys.
	// Beyond it the answer is 429 with Retry-After. 0 takes DefaultMaxConnsPerIP; negative
	// turns the cap off (PARLEY_MAX_CONNS_PER_IP).
	MaxConnsPerIP int
	// Webhooks manages the outgoing webhooks; nil serves no webhook route.
	Webhooks *webhook.Service
	// JobsUI is River's own UI, served to admins under /admin/jobs/ (built by cmd with that
	// prefix); nil leaves the page out.
	JobsUI http.Handler
	// Problems are the sources of the Problems page besides failed deliveries: each channel's
	// (channels.Parts.Problems) and any other part's, such as outgoing webhooks'.
	Problems []channels.ProblemSource
	// Sandbox is what the sandbox recorded when `parley serve --sandbox` runs: admins read it
	// at /admin/sandbox and every admin page says the sandbox is on. Nil (the sandbox off)
	// leaves the page out.
	Sandbox SandboxLog
	// InboxAdmins are the channels' parts of the admin's inbox pages (channels.Parts.Admin); a
	// kind without one is listed but not editable there. The API channel needs none.
	InboxAdmins []channels.InboxAdmin
	// Media checks the addresses of the files handed to providers that fetch them (Twilio's
	// MediaUrl), served under /media/; nil (no PARLEY_SECRET_KEY) serves none.
	Media *medialink.Signer
	// RewriteCIDs points the cid: images of a message's sanitized email HTML elsewhere
	// (email.RewriteCIDs, wired by cmd); nil shows the HTML as stored.
	RewriteCIDs func(html string, urlFor func(cid string) string) string
}

// Server is the HTTP surface of one parley process.
type Server struct {
	store    *inbox.Store
	pool     *pgxpool.Pool
	log      *slog.Logger
	hub      *hub
	mux      *router
	metrics  *metrics
	upgrader *websocket.Upgrader
	tokens   *tokenCache
	now      func() time.Time
	ui       *ui
	rules    *workflow.Rules
	sla      *workflow.SLA
	surveys  *workflow.Surveys
	resets   *workflow.PasswordResets
	away     *workflow.Away
	conns    *netlimit.Gate // the per-address cap of the public endpoints; nil: none
	hooks    *webhook.Service
	problems []channels.ProblemSource
	admins   map[inbox.Channel]channels.InboxAdmin
	cids     func(html string, urlFor func(cid string) string) string
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, pool: cfg.Pool, log: cfg.Logger, mux: newRouter(), now: cfg.Clock,
		upgrader: newUpgrader(), rules: cfg.Rules, sla: cfg.SLA, surveys: cfg.Surveys, resets: cfg.Resets, away: cfg.Away, hooks: cfg.Webhooks,
		problems: cfg.Problems, admins: map[inbox.Channel]channels.InboxAdmin{}, cids: cfg.RewriteCIDs}
	for _, a := range cfg.InboxAdmins {
		s.admins[a.Kind()] = a
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(cfg.Registry)
	s.tokens = newTokenCache(s.store.TokenAgent, s.now)
	s.hub = newHub(s.store, s.log, s.metrics)
	s.ui = newUI(s, cfg)
	s.conns = newConnGate(cfg.MaxConnsPerIP)
	s.mux.wrap = s.capPublic
	if cfg.Events != nil {
		cfg.Events.Subscribe(s.onEvent)
	}
	s.routes(cfg)
	return s
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler {
	// instrument sits next to the mux: it reads the route pattern the mux sets on its request, which
	// a middleware between them that makes a new request (WithContext) would hide from it.
	return s.hsts(s.withClientIP(stamp(deadline(s.metrics.instrument(s.mux.mux)))))
}

// Shutdown closes every event socket with 1001 "going away" (the pages reconnect at once, to
// another process); it returns once the close frames are written, by ctx's deadline at the
// latest. Call it once the listener is closed (http.Server.RegisterOnShutdown).
func (s *Server) Shutdown(ctx context.Context) { s.hub.closeAll(ctx) }

func (s *Server) routes(cfg Config) {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	s.metricsRoute(m, cfg.MetricsToken)

	m.Handle("POST /api/v1/inbound", s.api(s.inbound))
	m.Handle("GET /api/v1/conversations", s.api(s.listConversations))
	m.Handle("POST /api/v1/conversations", s.api(s.startConversation))
	m.Handle("GET /api/v1/conversations/{id}", s.api(s.getConversation))
	m.Handle("POST /api/v1/conversations/{id}/messages", s.api(s.postMessage))
	m.Handle("POST /api/v1/conversations/{id}/forward", s.api(s.forward))
	m.Handle("POST /api/v1/conversations/{id}/assign", s.api(s.assign))
	m.Handle("POST /api/v1/conversations/{id}/status", s.api(s.setStatus))
	m.Handle("POST /api/v1/conversations/{id}/priority", s.api(s.setPriority))
	m.Handle("POST /api/v1/conversations/{id}/snooze", s.api(s.snooze))
	m.Handle("POST /api/v1/conversations/{id}/tags", s.api(s.setTags))
	m.Handle("POST /api/v1/conversations/bulk", s.api(s.bulkConversations))
	m.Handle("GET /api/v1/contacts/{id}", s.api(s.getContact))
	m.Handle("POST /api/v1/contacts/{id}/merge", s.api(s.merge))
	m.Handle("GET /api/v1/attachments/{id}", s.api(s.getAttachment))
	m.Handle("POST /api/v1/uploads", s.api(s.postUpload))
	m.Handle("GET /api/v1/me", s.api(s.me))
	m.Handle("POST /api/v1/me/availability", s.api(s.setAvailability))
	m.Handle("GET /api/v1/events", s.authenticated(http.HandlerFunc(s.events)))
	s.uiRoutes(m)
	s.ruleRoutes(m)
	s.slaRoutes(m)
	s.surveyRoutes(m)
	s.accountRoutes(m)
	s.signinRoutes(m)
	s.auditRoutes(m)
	s.passwordRoutes(m)
	s.contactRoutes(m)
	s.mergeRoutes(m)
	s.contactDataRoutes(m)
	s.dataRightsRoutes(m)
	s.webhookRoutes(m)
	s.apiDocRoutes(m)
	s.problemRoutes(m)
	s.jobsRoutes(m, cfg.JobsUI)
	s.sandboxRoutes(m, cfg.Sandbox)
	s.categoryRoutes(m, cfg)
	s.feedbackRoutes(m, cfg)
	s.adminInboxRoutes(m)
	s.inboxTextRoutes(m)
	s.signatureRoutes(m)
	s.notificationRoutes(m)
	s.mentionRoutes(m)
	s.macroRoutes(m)
	s.mediaRoutes(m, cfg.Media)
	for _, r := range cfg.Routes {
		m.Handle(r.Pattern, s.capped(r.Handler))
	}
	m.HandleFunc("GET /favicon.ico", s.favicon)
	m.HandleFunc("/", s.notFound)
}

// apiFunc is a JSON handler: it returns an error for writeError instead of writing one.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// api wraps an apiFunc with authentication and error writing.
func (s *Server) api(fn apiFunc) http.Handler {
	return s.authenticated(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	}))
}
