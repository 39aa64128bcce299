package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// DefaultTestTimeout bounds the web admin's "Test connection": IMAP and SMTP are tried at once,
// each within it.
const DefaultTestTimeout = 10 * time.Second

// AdminConfig configures an Admin.
type AdminConfig struct {
	// TestTimeout bounds a connection test; 0 means DefaultTestTimeout.
	TestTimeout time.Duration
	// TLSConfig replaces the system's TLS settings (tests give their own CA).
	TLSConfig *tls.Config
	// Dial connects; nil is a net.Dialer bounded by the timeout.
	Dial Dialer
	// HTTPClient reaches OAuth2 token endpoints; nil is an http.Client with a 30 s timeout.
	HTTPClient *http.Client
}

// Admin is the email channel's part of the web admin's inbox pages: the form of a mailbox's
// IMAP and SMTP servers, checked as `parley inbox add email` checks them, and the connection
// test.
type Admin struct {
	store *inbox.Store
	cfg   AdminConfig
}

// NewAdmin returns the email inbox admin over store.
func NewAdmin(store *inbox.Store, cfg AdminConfig) *Admin {
	if cfg.TestTimeout <= 0 {
		cfg.TestTimeout = DefaultTestTimeout
	}
	return &Admin{store: store, cfg: cfg}
}

// Kind is inbox.ChannelEmail.
func (*Admin) Kind() inbox.Channel { return inbox.ChannelEmail }

// Fields are the address and the two servers.
func (*Admin) Fields() []channels.Field {
	return append([]channels.Field{
		{Name: "address", Label: "Address", Type: "email", Required: true, Placeholder: "support@example.com",
			Help: "Replies are sent from it; the mailbox must accept plus-addresses (support+TOKEN@...)."},
		{Name: "auth", Label: "Sign-in", Type: "select", Options: []string{AuthPassword, AuthOAuth2},
			Help: "password: the IMAP and SMTP passwords; oauth2: a refresh token from Google, Microsoft or another provider (the OAuth2 fields below)."},
		{Name: "imap_host", Label: "IMAP server", Required: true, Placeholder: "imap.example.com"},
		{Name: "imap_security", Label: "IMAP security", Type: "select", Options: []string{SecurityTLS, SecurityStartTLS, SecurityNone},
			Help: "tls: port 993; starttls: 143; none: only for a server on this machine."},
		{Name: "imap_port", Label: "IMAP port", Type: "number", Help: "Blank: the security's usual port."},
		{Name: "imap_username", Label: "IMAP user name", Required: true},
		{Name: "imap_password", Label: "IMAP password", Type: "password", Secret: true, Help: "Not with oauth2 sign-in.",
			ShowIf: "auth=" + AuthPassword},
		{Name: "imap_mailbox", Label: "IMAP folder", Placeholder: "INBOX"},
		{Name: "smtp_host", Label: "SMTP server", Required: true, Placeholder: "smtp.example.com"},
		{Name: "smtp_security", Label: "SMTP security", Type: "select", Options: []string{SecurityStartTLS, SecurityTLS},
			Help: "starttls: port 587, encrypted whenever the server offers it; tls: 465."},
		{Name: "smtp_port", Label: "SMTP port", Type: "number", Help: "Blank: the security's usual port."},
		{Name: "smtp_username", Label: "SMTP user name", Help: "Blank for a relay that needs no login."},
		{Name: "smtp_password", Label: "SMTP password", Type: "password", Secret: true, Help: "Not with oauth2 sign-in.",
			ShowIf: "auth=" + AuthPassword},
	}, oauthFields()...)
}

// Values are an email inbox's settings as the form shows them.
func (*Admin) Values(in inbox.Inbox) (map[string]string, error) {
	var s Settings
	if err := in.DecodeSettings(&s); err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	v := map[string]string{
		"address":   s.Address,
		"imap_host": s.IMAP.Host, "imap_security": s.IMAP.Security, "imap_port": strconv.Itoa(s.IMAP.Port),
		"imap_username": s.IMAP.Username, "imap_mailbox": s.IMAP.Mailbox,
		"smtp_host": s.SMTP.Host, "smtp_security": s.SMTP.Security, "smtp_port": strconv.Itoa(s.SMTP.Port),
		"smtp_username": s.SMTP.Username,
	}
	oauthValues(s, v)
	return v, nil
}

// Build checks the form as NewInbox checks the command line's URLs, and that no other email
// inbox reads the same mailbox.
func (a *Admin) Build(ctx context.Context, f channels.Form) (channels.Built, error) {
	addr, err := parseInboxAddress(f.Get("address"))
	if err != nil {
		return channels.Built{}, &inbox.ValidationError{Field: "address", Reason: strings.TrimPrefix(err.Error(), "email: inbox: ")}
	}
	set, sec, err := formServers(f)
	if err != nil {
		return channels.Built{}, err
	}
	set.Address = addr
	existing, err := a.store.Inboxes(ctx, inbox.ChannelEmail)
	if err != nil {
		return channels.Built{}, fmt.Errorf("email: %w", err)
	}
	var self int64
	if f.Current != nil {
		self = f.Current.ID
	}
	if err := readsOnce(set.IMAP, existing, self); err != nil {
		return channels.Built{}, &inbox.ValidationError{Field: "imap_username", Reason: strings.TrimPrefix(err.Error(), "email: inbox: ")}
	}
	return channels.Built{Inbox: inbox.NewInbox{Kind: inbox.ChannelEmail, Name: f.Name, TeamID: f.TeamID,
		Settings: set, Secrets: sec}}, nil
}

// formServers reads both servers and their passwords; a blank password of an edited inbox is
// its saved one.
func formServers(f channels.Form) (Settings, Secrets, error) {
	var saved Secrets
	if f.Current != nil && f.OpenSecrets != nil {
		if err := f.OpenSecrets(&saved); err != nil && !errors.Is(err, inbox.ErrNotFound) {
			return Settings{}, Secrets{}, fmt.Errorf("email: saved passwords: %w", err)
		}
	}
	var set Settings
	var sec Secrets
	var err error
	oauth := f.Get("auth") == AuthOAuth2
	if set.IMAP, sec.IMAPPassword, err = formServer(f, "imap", saved.IMAPPassword, oauth); err != nil {
		return Settings{}, Secrets{}, err
	}
	if set.SMTP, sec.SMTPPassword, err = formServer(f, "smtp", saved.SMTPPassword, oauth); err != nil {
		return Settings{}, Secrets{}, err
	}
	if oauth {
		if set.SMTP.Username == "" {
			set.SMTP.Username = set.IMAP.Username
		}
		if set.OAuth, sec.OAuthClientSecret, sec.OAuthRefreshToken, err = formOAuth(f, saved); err != nil {
			return Settings{}, Secrets{}, err
		}
	}
	return set, sec, nil
}

// formServer reads the fields of one server, kind "imap" or "smtp", with the rules of
// ParseIMAPURL and ParseSMTPURL; kept is the saved password a blank one keeps. With oauth no
// password is read: the user signs in with an OAuth2 access token.
func formServer(f channels.Form, kind string, kept string, oauth bool) (Server, string, error) {
	field := func(name string) string { return kind + "_" + name }
	bad := func(name, format string, args ...any) error {
		return &inbox.ValidationError{Field: field(name), Reason: fmt.Sprintf(format, args...)}
	}
	s := Server{Host: strings.TrimSpace(f.Get(field("host"))), Security: f.Get(field("security")),
		Username: strings.TrimSpace(f.Get(field("username")))}
	if s.Host == "" || strings.ContainsAny(s.Host, " /:@") && !strings.HasPrefix(s.Host, "[") {
		return Server{}, "", bad("host", "give the server's host name, like %s.example.com", kind)
	}
	s.Host = strings.Trim(s.Host, "[]")
	ports := map[string]int{SecurityTLS: 993, SecurityStartTLS: 143, SecurityNone: 143}
	if kind == "smtp" {
		ports = map[string]int{SecurityTLS: 465, SecurityStartTLS: 587}
	}
	if s.Security == "" {
		s.Security = SecurityTLS
		if kind == "smtp" {
			s.Security = SecurityStartTLS
		}
	}
	port, ok := ports[s.Security]
	if !ok {
		return Server{}, "", bad("security", "%q is not one of the choices", s.Security)
	}
	if kind == "imap" && s.Security == SecurityNone && !isLoopback(s.Host) {
		return Server{}, "", bad("security", "none sends the password unencrypted, so it is only for a server on this machine, not %s: choose tls or starttls", s.Host)
	}
	if p := strings.TrimSpace(f.Get(field("port"))); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return Server{}, "", bad("port", "%q is not a port number", p)
		}
		port = n
	}
	s.Port = port
	password := f.Get(field("password"))
	if password == "" && s.Username != "" {
		password = kept
	}
	if oauth {
		password = ""
	}
	if kind == "imap" {
		s.Mailbox = strings.Trim(strings.TrimSpace(f.Get(field("mailbox"))), "/")
		if s.Mailbox == "" {
			s.Mailbox = "INBOX"
		}
		if s.Username == "" {
			return Server{}, "", bad("username", "is required")
		}
		if password == "" && !oauth {
			return Server{}, "", bad("password", "is required")
		}
		return s, password, nil
	}
	if s.Username == "" || oauth {
		return s, password, nil // a relay without login, or the OAuth2 user
	}
	if password == "" {
		return Server{}, "", bad("password", "give the password of %s, or leave the user name blank for a relay without login", s.Username)
	}
	return s, password, nil
}

// TestConnection logs in to the form's IMAP server and opens its folder, and greets its SMTP
// server and logs in, both at once, each within the test timeout.
func (a *Admin) TestConnection(ctx context.Context, f channels.Form) []channels.Check {
	set, sec, err := formServers(f)
	if err != nil {
		return []channels.Check{{Name: "Settings", Detail: "not tried: " + plainError(err)}}
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.TestTimeout)
	defer cancel()
	l := link{TLS: a.cfg.TLSConfig, Timeout: a.cfg.TestTimeout, Dial: a.cfg.Dial}
	imapLogin, smtpLogin := passwordLogin(sec.IMAPPassword), passwordLogin(sec.SMTPPassword)
	var checks []channels.Check
	if set.OAuth != nil {
		token, check := a.testOAuth(ctx, set.OAuth, sec)
		if !check.OK {
			return []channels.Check{check}
		}
		checks = append(checks, check)
		imapLogin, smtpLogin = login{token: token}, login{token: token}
	}
	imapDone := make(chan channels.Check, 1)
	go func() { imapDone <- a.testIMAP(ctx, set.IMAP, imapLogin) }()
	smtpCheck := a.testSMTP(ctx, set.SMTP, smtpLogin, l)
	return append(checks, <-imapDone, smtpCheck)
}

func (a *Admin) testIMAP(ctx context.Context, s Server, cred login) channels.Check {
	c := channels.Check{Name: "IMAP"}
	ic, err := dialIMAP(ctx, s, cred, a.cfg.TLSConfig, a.cfg.TestTimeout, a.cfg.Dial)
	if err != nil {
		c.Detail = imapFailure(ctx, s, err, a.cfg.TestTimeout)
		return c
	}
	defer ic.close()
	if _, _, err := ic.selectMailbox(s.Mailbox); err != nil {
		c.Detail = fmt.Sprintf("logged in to %s as %s, but could not open the folder %q: %s", s.Host, s.Username, s.Mailbox, plainError(err))
		if ctx.Err() != nil {
			c.Detail = fmt.Sprintf("%s did not answer within %s", s.Addr(), a.cfg.TestTimeout)
		}
		return c
	}
	c.OK, c.Detail = true, fmt.Sprintf("logged in to %s as %s and opened %s", s.Host, s.Username, s.Mailbox)
	return c
}

// imapFailure says why connecting or logging in failed.
func imapFailure(ctx context.Context, s Server, err error, timeout time.Duration) string {
	var ie *imapError
	switch {
	case ctx.Err() != nil:
		return fmt.Sprintf("%s did not answer within %s", s.Addr(), timeout)
	case errors.As(err, &ie) && ie.auth:
		return fmt.Sprintf("login refused by %s: %s", s.Host, plainError(ie.err))
	default:
		return plainError(err)
	}
}

func (a *Admin) testSMTP(ctx context.Context, s Server, cred login, l link) channels.Check {
	c := channels.Check{Name: "SMTP"}
	client, done, err := smtpOpen(ctx, s, cred, "localhost", l)
	if err != nil {
		var se *SendError
		switch {
		case ctx.Err() != nil:
			c.Detail = fmt.Sprintf("%s did not answer within %s", s.Addr(), a.cfg.TestTimeout)
		case errors.As(err, &se) && (se.Code == 530 || se.Code == 534 || se.Code == 535):
			c.Detail = fmt.Sprintf("login refused by %s: %d %s", s.Host, se.Code, se.Reason)
		default:
			c.Detail = plainError(err)
		}
		return c
	}
	_ = client.Quit()
	done()
	c.OK = true
	if s.Username == "" {
		c.Detail = fmt.Sprintf("%s answered; no login tried (no user name)", s.Addr())
	} else {
		c.Detail = fmt.Sprintf("%s answered and accepted the login of %s", s.Addr(), s.Username)
	}
	return c
}

// plainError is err's text without the package's "email: imap: " style prefixes.
func plainError(err error) string {
	msg := err.Error()
	for _, p := range []string{"email: ", "imap: ", "smtp: ", "inbox: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// The admin implements the web admin's contracts.
var (
	_ channels.InboxAdmin       = (*Admin)(nil)
	_ channels.ConnectionTester = (*Admin)(nil)
)
