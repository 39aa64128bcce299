package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SendError is a failed send. Temporary tells whether trying again can help: a 4xx answer
// and network failures are temporary; a 5xx answer (an unknown recipient, a refused sender, a
// failed login) is permanent and its text is shown to agents.
type SendError struct {
	// Code is the SMTP reply code (0 when the server never answered).
	Code int
	// Reason is the server's explanation, or what went wrong before it answered.
	Reason    string
	temporary bool
}

// Error implements error.
func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("email: the mail server refused the message: %d %s", e.Code, e.Reason)
	}
	return "email: " + e.Reason
}

// Temporary reports whether the send may succeed if tried again.
func (e *SendError) Temporary() bool { return e.temporary }

func permanent(format string, args ...any) *SendError {
	return &SendError{Reason: fmt.Sprintf(format, args...)}
}

func temporary(err error) *SendError {
	return &SendError{Reason: err.Error(), temporary: true}
}

// smtpError classifies a failure of the SMTP exchange.
func smtpError(err error) *SendError {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		reason := se.Message
		if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != smtp.EnhancedCodeNotSet {
			reason = fmt.Sprintf("%d.%d.%d %s", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], reason)
		}
		return &SendError{Code: se.Code, Reason: reason, temporary: se.Code < 500}
	}
	return temporary(fmt.Errorf("smtp: %w", err))
}

// link is how a connection to a mail server is made.
type link struct {
	// TLS replaces the system's TLS settings (tests give their own CA).
	TLS *tls.Config
	// Timeout bounds connecting and each command.
	Timeout time.Duration
	// Dial connects; nil means a net.Dialer bounded by Timeout.
	Dial Dialer
}

// smtpSend delivers raw from from to one recipient through the endpoint. The SMTP password is
// sent only over TLS, or to a server whose connection's far end is a loopback address.
func smtpSend(ctx context.Context, s Server, cred login, localName string, l link, from, to string, raw []byte) error {
	c, done, err := smtpOpen(ctx, s, cred, localName, l)
	if err != nil {
		return err
	}
	defer done()
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return smtpError(err)
	}
	_ = c.Quit()
	return nil
}

// smtpOpen connects to the endpoint, greets it and logs in when it has a user name: what a send
// begins with, and what the admin's connection test tries. done closes the connection.
func smtpOpen(ctx context.Context, s Server, cred login, localName string, l link) (*smtp.Client, func(), error) {
	timeout := l.Timeout
	c, secure, conn, err := smtpDial(ctx, s, l)
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	done := func() {
		stop()
		c.Close()
	}
	c.CommandTimeout, c.SubmissionTimeout = timeout, 2*timeout
	if err := c.Hello(localName); err != nil {
		done()
		return nil, nil, smtpError(err)
	}
	if s.Username != "" {
		if !secure && !onLoopback(conn) {
			done()
			return nil, nil, permanent("%s (%s) offers no STARTTLS; the SMTP password is never sent unencrypted beyond this machine (use smtps://)",
				s.Addr(), conn.RemoteAddr())
		}
		if err := smtpAuth(c, s.Username, cred); err != nil {
			done()
			return nil, nil, err
		}
	}
	return c, done, nil
}

// smtpDial connects as the endpoint's security says and reports whether the connection is
// encrypted, and the TCP connection under it. For plain smtp:// it tries STARTTLS and, when the
// server does not offer it, connects again without.
func smtpDial(ctx context.Context, s Server, l link) (*smtp.Client, bool, net.Conn, error) {
	conn, err := dialTCP(ctx, s, l)
	if err != nil {
		return nil, false, nil, err
	}
	cfg := tlsFor(l.TLS, s.Host)
	if s.Security == SecurityTLS {
		tc := tls.Client(conn, cfg)
		hctx, cancel := context.WithTimeout(ctx, l.Timeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			conn.Close()
			return nil, false, nil, temporary(fmt.Errorf("smtp: TLS with %s: %w", s.Addr(), err))
		}
		return smtp.NewClient(tc), true, conn, nil
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, err := smtp.NewClientStartTLS(conn, cfg)
	stop()
	if err == nil {
		return c, true, conn, nil
	}
	var se *smtp.SMTPError
	var ne net.Error
	if errors.As(err, &se) || errors.As(err, &ne) || !strings.Contains(err.Error(), "STARTTLS") {
		return nil, false, nil, smtpError(err)
	}
	// The server offers no STARTTLS.
	conn, err = dialTCP(ctx, s, l)
	if err != nil {
		return nil, false, nil, err
	}
	return smtp.NewClient(conn), false, conn, nil
}

func dialTCP(ctx context.Context, s Server, l link) (net.Conn, error) {
	conn, err := dialWith(l.Dial, l.Timeout)(ctx, "tcp", s.Addr())
	if err != nil {
		return nil, temporary(fmt.Errorf("smtp: connect to %s: %w", s.Addr(), err))
	}
	return conn, nil
}

// smtpAuth logs in with PLAIN, or LOGIN for servers that offer only that; with XOAUTH2 when
// cred holds an OAuth2 access token.
func smtpAuth(c *smtp.Client, user string, cred login) error {
	if cred.token != "" {
		return smtpAuthOAuth(c, user, cred)
	}
	var mech sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		mech = sasl.NewPlainClient("", user, cred.password)
	case c.SupportsAuth(sasl.Login):
		mech = sasl.NewLoginClient(user, cred.password)
	default:
		return permanent("the SMTP server offers neither PLAIN nor LOGIN authentication")
	}
	if err := c.Auth(mech); err != nil {
		return smtpError(err)
	}
	return nil
}
