package sandbox

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpBackend takes the email channel's messages (go-smtp's Backend): it accepts any login,
// sender and recipient, and records each message with its MIME source.
type smtpBackend struct{ sb *Sandbox }

// NewSession implements smtp.Backend.
func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{sb: b.sb}, nil
}

// smtpSession is one connection to the sink.
type smtpSession struct {
	sb   *Sandbox
	from string
	to   []string
}

// AuthMechanisms implements smtp.AuthSession: PLAIN, any credentials taken (and never kept).
func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth implements smtp.AuthSession.
func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(string, string, string) error { return nil }), nil
}

// Mail implements smtp.Session.
func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

// Rcpt implements smtp.Session.
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

// Data implements smtp.Session: the message is recorded before the sink answers 250.
func (ss *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(r, 2*maxPayload))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, r)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = ss.sb.store.Record(ctx, Entry{Channel: ChannelEmail, Request: "SMTP MAIL FROM:<" + ss.from + ">",
		Destination: strings.Join(ss.to, ", "), Summary: subjectOf(raw), Payload: string(raw)})
	if err != nil {
		ss.sb.log.Error("sandbox: smtp", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "the sandbox could not record the message"}
	}
	return nil
}

// Reset implements smtp.Session.
func (ss *smtpSession) Reset() { ss.from, ss.to = "", nil }

// Logout implements smtp.Session.
func (ss *smtpSession) Logout() error { return nil }

// subjectOf is the message's decoded Subject, empty when it has none.
func subjectOf(raw []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	s := m.Header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}

var _ smtp.AuthSession = (*smtpSession)(nil)
