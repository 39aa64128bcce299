package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/internal/netlimit"
	"github.com/parleyhq/parley/internal/pgrelay"
)

// EventSource is where a Server hears about changes: the process's inbox.Feed, which sees the
// events of every parley process on the database.
type EventSource interface {
	Subscribe(fn func(inbox.Event)) (cancel func())
}

// Config configures a Server. Store and Events are required.
type Config struct {
	Store  *inbox.Store
	Events EventSource
	// Relay is the process's one LISTEN connection, through which the web inbox's agents
	// typing reach the visitors; nil shows them none (PresenceReady never closes).
	Relay  *pgrelay.Relay
	Logger *slog.Logger
	// TokenSecret signs visitor tokens (PARLEY_SECRET_KEY). Every process serving the same
	// database needs the same one. Empty means a random key for this process only: tokens
	// then do not survive a restart, and the server logs a warning.
	TokenSecret string
	// PublicURL is this server's public URL, without a trailing slash: the demo page loads
	// the widget from it.
	PublicURL string
	// Surveys records the visitors' ratings of satisfaction surveys; nil refuses them.
	Surveys channels.Surveys
	// Limiter rate-limits each visitor's frames (default 5 a second, bursts of 10).
	Limiter LimiterConfig
	// Limits bound the sockets and new visitors of one source address.
	Limits Limits
	// Timing and sizes of visitor sockets; zero fields take the defaults.
	Socket SocketConfig
	// Meter counts the open visitor sockets; nil counts nothing.
	Meter channels.Meter
}

// SocketConfig tunes visitor sockets.
type SocketConfig struct {
	HelloWait    time.Duration // for the first frame; default 20 s
	PongWait     time.Duration // a socket silent this long is dead; default 60 s
	PingInterval time.Duration // default 25 s
	WriteWait    time.Duration // deadline of one write; default 10 s
	SendQueue    int           // frames queued per socket before it is dropped as slow; default 32
	MaxReplay    int           // messages replayed on (re)connection at most; default 200
}

func (c *SocketConfig) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.HelloWait, 20*time.Second)
	def(&c.PongWait, 60*time.Second)
	def(&c.PingInterval, 25*time.Second)
	def(&c.WriteWait, 10*time.Second)
	if c.SendQueue <= 0 {
		c.SendQueue = 32
	}
	if c.MaxReplay <= 0 {
		c.MaxReplay = 200
	}
}

// Server is the website chat of one parley process: it serves the widget, the demo page and
// the visitor sockets, and pushes the inbox's changes to the visitors connected here.
type Server struct {
	store   *inbox.Store
	log     *slog.Logger
	tokens  *Tokens
	files   *medialink.Signer // the links to the messages' files
	limiter *Limiter
	// newVisitors and sockets are the per-address limits (nil: off).
	newVisitors *Limiter
	sockets     *netlimit.Gate
	hub         *hub
	messages    *messageLoader
	visitors    *Visitors
	upgrader    *websocket.Upgrader
	sock        SocketConfig
	publicURL   string
	widget      widgetFile
	demo        *template.Template
	noInbox     *template.Template
	noOrigin    *template.Template
	names       names
	surveys     channels.Surveys
	meter       channels.Meter

	// ctx is the sockets' context, done when the server closes.
	ctx       context.Context
	stop      context.CancelFunc
	closeOnce sync.Once
	cancel    func()

	presenceReady <-chan struct{}
}

// New builds a Server and subscribes it to cfg.Events. It fails when Store or Events is
// missing or an embedded asset does not parse.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Events == nil {
		return nil, errors.New("chat: new server: Store and Events are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	secret := []byte(cfg.TokenSecret)
	if len(secret) == 0 {
		cfg.Logger.Warn("PARLEY_SECRET_KEY is not set: chat visitor tokens are signed with a key of this process only and will not survive a restart")
		secret = []byte(rand.Text())
	}
	// Hash the key so a short PARLEY_SECRET_KEY, accepted for sealing, also signs tokens.
	sum := sha256.Sum256(append([]byte("parley chat tokens:"), secret...))
	tokens, err := NewTokens(sum[:])
	if err != nil {
		return nil, err
	}
	files, err := medialink.New(string(append([]byte("parley chat files:"), secret...)), nil)
	if err != nil {
		return nil, err
	}
	w, err := loadWidget()
	if err != nil {
		return nil, err
	}
	demo, err := DemoTemplate()
	if err != nil {
		return nil, err
	}
	noInbox, err := template.New("none").Parse(noInboxPage)
	if err != nil {
		return nil, fmt.Errorf("chat: no-inbox page: %w", err)
	}
	noOrigin, err := template.New("origin").Parse(noOriginPage)
	if err != nil {
		return nil, fmt.Errorf("chat: no-origin page: %w", err)
	}
	cfg.Socket.defaults()
	cfg.Limits.defaults()
	s := &Server{
		store:       cfg.Store,
		log:         cfg.Logger,
		tokens:      tokens,
		files:       files,
		limiter:     NewLimiter(cfg.Limiter),
		newVisitors: newVisitorLimiter(cfg.Limits),
		sockets:     newSocketGate(cfg.Limits),
		visitors:    NewVisitors(cfg.Store, cfg.Logger),
		sock:        cfg.Socket,
		publicURL:   cfg.PublicURL,
		widget:      w,
		demo:        demo,
		noInbox:     noInbox,
		noOrigin:    noOrigin,
		surveys:     cfg.Surveys,

		presenceReady: make(chan struct{}),
		upgrader: &websocket.Upgrader{
			ReadBufferSize:  1024,
			WriteBufferSize: 1024,
			WriteBufferPool: &sync.Pool{},
			// The inbox's origins are checked before the upgrade, where the inbox is known.
			CheckOrigin: func(*http.Request) bool { return true },
		},
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.meter = cfg.Meter
	s.hub = newHub(s)
	s.messages = &messageLoader{store: s.store}
	s.cancel = cfg.Events.Subscribe(s.hub.dispatch)
	if cfg.Relay != nil {
		s.listenPresence(cfg.Relay)
	}
	return s, nil
}

// Handlers returns the server's HTTP handlers by ServeMux pattern: the widget script, the
// demo page, the visitor socket, the origin check the widget asks when the socket fails and the
// texts it shows.
func (s *Server) Handlers() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /chat/widget.js":         http.HandlerFunc(s.serveWidget),
		"GET /chat/demo":              http.HandlerFunc(s.serveDemo),
		"GET /chat/ws":                http.HandlerFunc(s.serveSocket),
		"GET /chat/check":             http.HandlerFunc(s.serveCheck),
		"GET /chat/texts":             http.HandlerFunc(s.serveTexts),
		"POST /chat/upload":           http.HandlerFunc(s.serveUpload),
		"GET " + FilePath + "{token}": http.HandlerFunc(s.serveFile),
	}
}

// Visitors returns the server's visitor records, which the workflow's email fallback reads.
func (s *Server) Visitors() *Visitors { return s.visitors }

// Close stops listening to events and closes every visitor socket; the widgets reconnect to
// another process. Sockets accepted afterwards are closed at once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		s.hub.closeAll()
		s.stop()
	})
}

// CloseOnDone closes the server when ctx ends.
func (s *Server) CloseOnDone(ctx context.Context) {
	context.AfterFunc(ctx, s.Close)
}

// Sockets returns how many visitor sockets this process holds.
func (s *Server) Sockets() int { return s.hub.count() }
