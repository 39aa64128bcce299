package email

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Connection security of a mail server endpoint.
const (
	// SecurityTLS is implicit TLS from the first byte (imaps://, smtps://).
	SecurityTLS = "tls"
	// SecurityStartTLS upgrades a plain connection with STARTTLS. For IMAP (imap+starttls://)
	// the upgrade is required; for SMTP (smtp://) it is made whenever the server offers it, and
	// a password is never sent over a connection left unencrypted unless the server is on a
	// loopback address.
	SecurityStartTLS = "starttls"
	// SecurityNone is a plain, unencrypted connection (imap://): for a server on the same host
	// or a test server only, since the password crosses the network in clear.
	SecurityNone = "none"
)

// Server is a mail server endpoint as shown to admins: everything but the password.
type Server struct {
	Security string `json:"security"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username,omitempty"`
	// Mailbox is the IMAP folder read (default INBOX); empty for SMTP.
	Mailbox string `json:"mailbox,omitempty"`
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// ParseIMAPURL reads an IMAP endpoint:
//
//	imaps://user:password@host[:993][/MAILBOX]          implicit TLS
//	imap+starttls://user:password@host[:143][/MAILBOX]  STARTTLS, required
//	imap://user:password@host[:143][/MAILBOX]           unencrypted (local or test servers)
//
// The mailbox defaults to INBOX. A user name or password holding '@', ':' or '/' must be
// percent-encoded (a Gmail user "me@example.com" may also be written as is: the last '@' ends
// the credentials). It returns the endpoint and the password.
func ParseIMAPURL(raw string) (Server, string, error) {
	s, password, err := parseIMAPURL(raw)
	if err != nil {
		return Server{}, "", err
	}
	if s.Username == "" || password == "" {
		return Server{}, "", fmt.Errorf("email: IMAP URL: a user name and a password are required (imaps://user:password@host)")
	}
	return s, password, nil
}

// parseIMAPURL is ParseIMAPURL with the user name and password optional.
func parseIMAPURL(raw string) (Server, string, error) {
	u, err := parseEndpoint(raw, "imap")
	if err != nil {
		return Server{}, "", err
	}
	s := Server{Host: u.Hostname()}
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		s.Security, s.Port = SecurityTLS, 993
	case "imap+starttls":
		s.Security, s.Port = SecurityStartTLS, 143
	case "imap":
		s.Security, s.Port = SecurityNone, 143
		if !isLoopback(s.Host) {
			return Server{}, "", fmt.Errorf("email: IMAP URL: imap:// sends the password unencrypted, so it is only for a server on this machine (localhost, 127.0.0.1, ::1), not %s: use imaps:// or imap+starttls://", s.Host)
		}
	default:
		return Server{}, "", fmt.Errorf("email: IMAP URL: scheme %q is not imaps, imap+starttls or imap", u.Scheme)
	}
	if err := setPort(&s, u, "IMAP"); err != nil {
		return Server{}, "", err
	}
	s.Mailbox = strings.Trim(u.Path, "/")
	if s.Mailbox == "" {
		s.Mailbox = "INBOX"
	}
	if u.User != nil {
		s.Username = u.User.Username()
	}
	password, _ := u.User.Password()
	return s, password, nil
}

// ParseSMTPURL reads an SMTP endpoint:
//
//	smtps://user:password@host[:465]  implicit TLS
//	smtp://user:password@host[:587]   STARTTLS whenever the server offers it
//
// Credentials may be left out for a relay that needs none. It returns the endpoint and the
// password.
func ParseSMTPURL(raw string) (Server, string, error) {
	u, err := parseEndpoint(raw, "smtp")
	if err != nil {
		return Server{}, "", err
	}
	s := Server{Host: u.Hostname()}
	if u.User != nil {
		s.Username = u.User.Username()
	}
	switch strings.ToLower(u.Scheme) {
	case "smtps":
		s.Security, s.Port = SecurityTLS, 465
	case "smtp":
		s.Security, s.Port = SecurityStartTLS, 587
	default:
		return Server{}, "", fmt.Errorf("email: SMTP URL: scheme %q is not smtps or smtp", u.Scheme)
	}
	if err := setPort(&s, u, "SMTP"); err != nil {
		return Server{}, "", err
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return Server{}, "", fmt.Errorf("email: SMTP URL: unexpected path %q", p)
	}
	password, _ := u.User.Password()
	if (s.Username == "") != (password == "") {
		return Server{}, "", fmt.Errorf("email: SMTP URL: give both a user name and a password, or neither")
	}
	return s, password, nil
}

// parseEndpoint parses raw as a URL with a host, naming kind in its errors. The URL itself is
// never quoted in an error: it holds a password.
func parseEndpoint(raw, kind string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("email: %s URL is not a URL (check that special characters in the password are percent-encoded)", strings.ToUpper(kind))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("email: %s URL has no host", strings.ToUpper(kind))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("email: %s URL: query parameters are not supported; the scheme sets the security", strings.ToUpper(kind))
	}
	return u, nil
}

func setPort(s *Server, u *url.URL, kind string) error {
	p := u.Port()
	if p == "" {
		return nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("email: %s URL: bad port %q", kind, p)
	}
	s.Port = n
	return nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
