package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/parleyhq/parley/inbox"
)

// SystemMailConfig configures the mail Parley sends on its own behalf (a password reset link).
type SystemMailConfig struct {
	// Store finds the first email inbox when URL is empty.
	Store *inbox.Store
	// URL is PARLEY_SMTP_URL (smtp://user:password@host:port or smtps://…, see ParseSMTPURL);
	// empty sends through the SMTP server of the first email inbox, from its address.
	URL string
	// From is the sender address with URL; empty means the URL's user name when it is an
	// address, else parley@ the SMTP host.
	From string
	// TLSConfig replaces the system's TLS settings (tests give their own CA).
	TLSConfig *tls.Config
	// Timeout bounds connecting and each SMTP command; 0 means 30 s.
	Timeout time.Duration
	// SecretKey is PARLEY_SECRET_KEY: a first inbox that signs in with OAuth2 keeps its access
	// tokens sealed with it.
	SecretKey string
}

// SystemMailer sends Parley's own mail (workflow.Mailer).
type SystemMailer struct {
	cfg      SystemMailConfig
	oauth    *oauthTokens
	server   Server
	password string
}

// NewSystemMailer checks cfg.URL, when given, and returns the mailer.
func NewSystemMailer(cfg SystemMailConfig) (*SystemMailer, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	m := &SystemMailer{cfg: cfg, oauth: newOAuthTokens(cfg.Store, cfg.SecretKey, nil, slog.New(slog.DiscardHandler))}
	if cfg.URL == "" {
		return m, nil
	}
	s, password, err := ParseSMTPURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	m.server, m.password = s, password
	if m.cfg.From == "" {
		m.cfg.From = "parley@" + s.Host
		if strings.Contains(s.Username, "@") {
			m.cfg.From = s.Username
		}
	}
	if _, err := gomail.ParseAddress(m.cfg.From); err != nil {
		return nil, fmt.Errorf("email: system mail: sender %q is not an address", m.cfg.From)
	}
	return m, nil
}

// SendMail sends a plain-text mail to one address, marked Auto-Submitted. Errors are
// *SendError (Temporary tells whether to retry); having no mail server at all is permanent.
func (m *SystemMailer) SendMail(ctx context.Context, to, subject, text string) error {
	server, cred, from := m.server, passwordLogin(m.password), m.cfg.From
	if m.cfg.URL == "" {
		a, err := m.firstInbox(ctx)
		if err != nil {
			return err
		}
		server, from = a.settings.SMTP, a.settings.Address
		if cred, err = m.oauth.smtpInboxLogin(ctx, a); err != nil {
			return err
		}
	}
	rcpt, err := gomail.ParseAddress(to)
	if err != nil {
		return permanent("the recipient %q is not an address", to)
	}
	_, domain, _ := strings.Cut(from, "@")
	raw, err := outgoingMail{from: &gomail.Address{Name: "Parley", Address: from}, to: []*gomail.Address{rcpt}, subject: subject,
		date: time.Now(), messageID: newMessageID(domain), text: text, auto: true}.bytes()
	if err != nil {
		return permanent("%v", err)
	}
	return smtpSend(ctx, server, cred, domain, link{TLS: m.cfg.TLSConfig, Timeout: m.cfg.Timeout}, from, rcpt.Address, raw)
}

// firstInbox opens the email inbox with the lowest id.
func (m *SystemMailer) firstInbox(ctx context.Context) (account, error) {
	ins, err := m.cfg.Store.Inboxes(ctx, inbox.ChannelEmail)
	if err != nil {
		return account{}, temporary(err)
	}
	if len(ins) == 0 {
		return account{}, permanent("no mail server: set PARLEY_SMTP_URL or add an email inbox")
	}
	first := ins[0] // Store.Inboxes lists them by id
	a, err := accountOf(m.cfg.Store, first)
	if errors.Is(err, inbox.ErrNoSecretKey) {
		return account{}, permanent("email inbox %d cannot send: %v", first.ID, err)
	}
	if err != nil {
		return account{}, temporary(err)
	}
	return a, nil
}
