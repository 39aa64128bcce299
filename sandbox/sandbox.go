package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is what a Sandbox needs. Pool is required.
type Config struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Clock tells the time of the entries; nil means time.Now.
	Clock func() time.Time
}

// Sandbox is a running set of fake providers on 127.0.0.1: an HTTP listener for Twilio and
// Slack and an SMTP listener, recording into the Store, and an IMAP listener with empty
// mailboxes.
type Sandbox struct {
	store    *Store
	log      *slog.Logger
	httpLn   net.Listener
	smtpLn   net.Listener
	imapLn   net.Listener
	httpSrv  *http.Server
	smtpSrv  *smtp.Server
	imapSrv  *imapserver.Server
	finished chan struct{}
}

// Start listens on three loopback ports and serves the fakes until Close.
func Start(cfg Config) (*Sandbox, error) {
	if cfg.Pool == nil {
		return nil, errors.New("sandbox: a pool is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Sandbox{store: NewStore(cfg.Pool, cfg.Clock), log: log, finished: make(chan struct{}, 3)}
	var err error
	if s.httpLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	if s.smtpLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.httpLn.Close()
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	if s.imapLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.httpLn.Close()
		s.smtpLn.Close()
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	s.httpSrv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.smtpSrv = smtp.NewServer(smtpBackend{sb: s})
	s.smtpSrv.Domain = "sandbox.parley.invalid"
	s.smtpSrv.AllowInsecureAuth = true // loopback only
	s.smtpSrv.ReadTimeout, s.smtpSrv.WriteTimeout = time.Minute, time.Minute
	s.smtpSrv.MaxMessageBytes = 2 * maxPayload
	s.smtpSrv.ErrorLog = stdLog(log)
	s.imapSrv = newIMAPServer(&mailboxes{users: map[string]*imapmemserver.User{}}, stdLog(log))
	go func() { _ = s.httpSrv.Serve(s.httpLn); s.finished <- struct{}{} }()
	go func() { _ = s.imapSrv.Serve(s.imapLn); s.finished <- struct{}{} }()
	go func() { _ = s.smtpSrv.Serve(s.smtpLn); s.finished <- struct{}{} }()
	return s, nil
}

// Handler is the fake Twilio and Slack, for the HTTP listener (and tests).
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	s.twilioRoutes(mux)
	s.slackRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "the sandbox fakes Twilio (/2010-04-01/) and Slack (/api/) only", http.StatusNotFound)
	})
	return mux
}

// TwilioURL is the base URL to give the SMS channel (PARLEY_TWILIO_API_URL).
func (s *Sandbox) TwilioURL() string { return "http://" + s.httpLn.Addr().String() }

// SlackURL is the Web API base URL to give the Slack channel (PARLEY_SLACK_API_URL).
func (s *Sandbox) SlackURL() string { return "http://" + s.httpLn.Addr().String() + "/api/" }

// SMTPURL is the sink's address as an smtp:// URL (no login, no TLS: it is on loopback).
func (s *Sandbox) SMTPURL() string { return "smtp://" + s.smtpLn.Addr().String() }

// IMAPURL is the sandbox's IMAP server as an imap:// URL: any login reads an empty INBOX.
func (s *Sandbox) IMAPURL() string {
	return "imap://sandbox:sandbox@" + s.imapLn.Addr().String() + "/INBOX"
}

// Store is where the entries are.
func (s *Sandbox) Store() *Store { return s.store }

// Close stops both listeners and waits, up to ctx's end, for their requests.
func (s *Sandbox) Close(ctx context.Context) error {
	err := s.httpSrv.Shutdown(ctx)
	if cerr := s.smtpSrv.Shutdown(ctx); err == nil {
		err = cerr
	}
	// go-smtp closes only the listeners its Serve registered: one not yet there (a Close right
	// after Start) is closed here, which ends that Serve too.
	_ = s.smtpLn.Close()
	if cerr := s.imapSrv.Close(); err == nil && cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	_ = s.imapLn.Close()
	for range 3 {
		<-s.finished
	}
	if err != nil {
		return fmt.Errorf("sandbox: close: %w", err)
	}
	return nil
}

// stdLog is a standard logger writing into log at debug level (go-smtp's ErrorLog).
func stdLog(l *slog.Logger) *log.Logger {
	return log.New(logWriter{l}, "", 0)
}

type logWriter struct{ l *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Debug("sandbox smtp", "msg", string(p))
	return len(p), nil
}

var _ io.Writer = logWriter{}
