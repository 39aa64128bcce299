package emailtest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPOptions configure an SMTPSink.
type SMTPOptions struct {
	// Username and Password, when set, must log in (AUTH PLAIN) before MAIL.
	Username, Password string
	// TLS makes the sink offer STARTTLS with this configuration.
	TLS *tls.Config
	// OAuth, when set, makes the sink offer AUTH XOAUTH2, deciding on each token, and require
	// a sign-in before MAIL.
	OAuth OAuthCheck
}

// SMTPMessage is one message the sink accepted.
type SMTPMessage struct {
	From string
	To   []string
	Data []byte
	// TLS tells whether the message came over an encrypted connection.
	TLS bool
}

// SMTPSink is an SMTP server that keeps what it accepts, or refuses recipients as the test
// says.
type SMTPSink struct {
	opts SMTPOptions
	addr string

	mu         sync.Mutex
	msgs       []SMTPMessage
	reject     func(rcpt string) error
	oauthUsers []string
}

// NewSMTPSink starts a sink on 127.0.0.1; it stops when t ends.
func NewSMTPSink(t testing.TB, opts SMTPOptions) *SMTPSink {
	t.Helper()
	s := &SMTPSink{opts: opts}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.TLSConfig = opts.TLS
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("emailtest: smtp listen: %v", err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln) //nolint:errcheck // returns when closed
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Addr is the sink's host:port.
func (s *SMTPSink) Addr() string { return s.addr }

// URL is the sink's SMTP URL, with the credentials when it requires them.
func (s *SMTPSink) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// Messages returns what the sink accepted so far, oldest first.
func (s *SMTPSink) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.msgs...)
}

// Reject makes the sink answer RCPT with fn's error when it returns one; an *smtp.SMTPError
// sets the reply code (a 4xx is temporary, a 5xx permanent). nil accepts everything again.
func (s *SMTPSink) Reject(fn func(rcpt string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = fn
}

// NewSession implements smtp.Backend.
func (s *SMTPSink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &sinkSession{sink: s, conn: c, tls: isTLS}, nil
}

// sinkSession is one SMTP connection to the sink.
type sinkSession struct {
	sink   *SMTPSink
	conn   *smtp.Conn
	tls    bool
	authed bool
	from   string
	to     []string
}

var errBadLogin = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}

func (ss *sinkSession) check(user, password string) error {
	if user != ss.sink.opts.Username || password != ss.sink.opts.Password {
		return errBadLogin
	}
	ss.authed = true
	return nil
}

// AuthMechanisms implements smtp.AuthSession.
func (ss *sinkSession) AuthMechanisms() []string {
	var mechs []string
	if ss.sink.opts.Username != "" {
		mechs = append(mechs, sasl.Plain)
	}
	if ss.sink.opts.OAuth != nil {
		mechs = append(mechs, XOAUTH2)
	}
	return mechs
}

// Auth implements smtp.AuthSession.
func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	switch {
	case mech == sasl.Plain && ss.sink.opts.Username != "":
		return sasl.NewPlainServer(func(_, user, password string) error { return ss.check(user, password) }), nil
	case mech == XOAUTH2 && ss.sink.opts.OAuth != nil:
		return ss.sinkOAuth(), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if (ss.sink.opts.Username != "" || ss.sink.opts.OAuth != nil) && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	reject := ss.sink.reject
	ss.sink.mu.Unlock()
	if reject != nil {
		if err := reject(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(ss.to) == 0 {
		return errors.New("no recipients")
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.sink.mu.Lock()
	ss.sink.msgs = append(ss.sink.msgs, SMTPMessage{From: ss.from, To: ss.to, Data: data, TLS: isTLS || ss.tls})
	ss.sink.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset() { ss.from, ss.to = "", nil }

func (ss *sinkSession) Logout() error { return nil }
