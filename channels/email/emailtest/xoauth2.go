package emailtest

import (
	"bytes"
	"errors"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// XOAUTH2 is the SASL mechanism of Google's and Microsoft's mail servers.
const XOAUTH2 = "XOAUTH2"

// OAuthCheck tells whether an XOAUTH2 sign-in of user with an access token is accepted.
type OAuthCheck func(user, token string) bool

// xoauth2Server is the server side of XOAUTH2 as Gmail runs it: the client's initial response
// is "user=USER\x01auth=Bearer TOKEN\x01\x01"; a token refused is answered with a challenge
// holding a JSON error, and once the client answers it (with an empty response) the exchange
// fails with fail.
type xoauth2Server struct {
	check   OAuthCheck
	ok      func(user string) error // runs once the token is accepted
	fail    error
	refused bool
}

// Next implements sasl.Server.
func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.refused {
		return nil, false, x.fail
	}
	if response == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	user, token, ok := parseXOAUTH2(response)
	if !ok {
		return nil, false, errors.New("emailtest: malformed XOAUTH2 response")
	}
	if !x.check(user, token) {
		x.refused = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	return nil, true, x.ok(user)
}

// parseXOAUTH2 reads "user=USER\x01auth=Bearer TOKEN\x01\x01", strictly.
func parseXOAUTH2(b []byte) (user, token string, ok bool) {
	rest, found := bytes.CutSuffix(b, []byte("\x01\x01"))
	if !found {
		return "", "", false
	}
	parts := strings.Split(string(rest), "\x01")
	if len(parts) != 2 {
		return "", "", false
	}
	user, okUser := strings.CutPrefix(parts[0], "user=")
	token, okToken := strings.CutPrefix(parts[1], "auth=Bearer ")
	return user, token, okUser && okToken && user != "" && token != ""
}

// AcceptOAuth makes the IMAP server offer AUTHENTICATE XOAUTH2 for its user, with check
// deciding on each token, and refuse password logins (LOGIN, PLAIN). nil offers passwords
// again.
func (s *IMAPServer) AcceptOAuth(check OAuthCheck) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth = check
	s.oauthLogins = 0
}

// OAuthLogins counts the XOAUTH2 sign-ins accepted since AcceptOAuth.
func (s *IMAPServer) OAuthLogins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauthLogins
}

func (s *IMAPServer) oauthCheck() OAuthCheck {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth
}

// AuthenticateMechanisms implements imapserver.SessionSASL: PLAIN, or XOAUTH2 alone once the
// server accepts OAuth.
func (s *session) AuthenticateMechanisms() []string {
	if s.srv.oauthCheck() != nil {
		return []string{XOAUTH2}
	}
	return []string{sasl.Plain}
}

// Authenticate implements imapserver.SessionSASL.
func (s *session) Authenticate(mech string) (sasl.Server, error) {
	check := s.srv.oauthCheck()
	switch {
	case mech == XOAUTH2 && check != nil:
		return &xoauth2Server{check: check, fail: &imap.Error{Type: imap.StatusResponseTypeNo,
			Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid credentials (Failure)"},
			ok: func(user string) error {
				if user != s.srv.User {
					return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "no such user"}
				}
				if err := s.Session.Login(s.srv.User, s.srv.Password); err != nil {
					return err
				}
				s.srv.mu.Lock()
				s.srv.logins++
				s.srv.oauthLogins++
				s.srv.mu.Unlock()
				return nil
			}}, nil
	case mech == sasl.Plain && check == nil:
		return sasl.NewPlainServer(func(identity, user, password string) error {
			if identity != "" && identity != user {
				return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthorizationFailed, Text: "SASL identity not supported"}
			}
			return s.Login(user, password)
		}), nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// sinkOAuth is the sink's XOAUTH2 exchange.
func (ss *sinkSession) sinkOAuth() sasl.Server {
	return &xoauth2Server{check: ss.sink.opts.OAuth,
		fail: &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"},
		ok: func(user string) error {
			ss.authed = true
			ss.sink.mu.Lock()
			ss.sink.oauthUsers = append(ss.sink.oauthUsers, user)
			ss.sink.mu.Unlock()
			return nil
		}}
}

// OAuthUsers are the users of the XOAUTH2 sign-ins the sink accepted, in order.
func (s *SMTPSink) OAuthUsers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.oauthUsers...)
}
