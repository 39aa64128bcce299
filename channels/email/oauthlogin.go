package email

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"
)

// login is how a client proves itself to a mail server: a password, or an OAuth2 access token
// sent with XOAUTH2. refused, when set, is called when the server refuses the token, so that
// the cached token is dropped and the next attempt gets a fresh one.
type login struct {
	password string
	token    string
	refused  func()
}

// passwordLogin is a login with a password.
func passwordLogin(password string) login { return login{password: password} }

// loginOAuth authenticates with XOAUTH2.
func (ic *imapConn) loginOAuth(user string, cred login) error {
	x := &xoauth2{user: user, token: cred.token}
	if err := ic.c.Authenticate(x); err != nil {
		if cred.refused != nil {
			cred.refused()
		}
		return &imapError{op: "sign in with OAuth2", err: withRefusal(err, x.refusal), auth: true, oauth: true}
	}
	return nil
}

// smtpAuthOAuth authenticates with XOAUTH2. A refused token is a temporary failure: the
// refresh it causes may mend it (an access token revoked before its expiry).
func smtpAuthOAuth(c *smtp.Client, user string, cred login) error {
	if !c.SupportsAuth("XOAUTH2") {
		return permanent("the SMTP server does not offer OAuth2 (XOAUTH2) sign-in")
	}
	x := &xoauth2{user: user, token: cred.token}
	if err := c.Auth(x); err != nil {
		se := smtpError(err)
		if se.Code >= 500 {
			if cred.refused != nil {
				cred.refused()
			}
			se.Reason = withRefusal(fmt.Errorf("the OAuth2 sign-in was refused: %s", se.Reason), x.refusal).Error()
			se.temporary = true
		}
		return se
	}
	return nil
}

// withRefusal adds the server's XOAUTH2 error challenge (a JSON object such as
// {"status":"401","schemes":"bearer"}) to err.
func withRefusal(err error, refusal string) error {
	refusal = strings.TrimSpace(refusal)
	if refusal == "" {
		return err
	}
	if len(refusal) > 200 {
		refusal = refusal[:200]
	}
	return fmt.Errorf("%w (server said %s)", err, refusal)
}

// imapLogin is the login to inbox a's IMAP server: its password, or an OAuth2 access token.
func (o *oauthTokens) imapLogin(ctx context.Context, a account) (login, error) {
	if a.settings.OAuth == nil {
		return passwordLogin(a.secrets.IMAPPassword), nil
	}
	return o.login(ctx, a)
}

// smtpLogin is the SMTP server a reply of inbox a goes through and the login to it: the relay
// without one, or the inbox's server and login (smtpInboxLogin).
func (s *Sender) smtpLogin(ctx context.Context, a account) (Server, login, error) {
	if s.cfg.Relay != nil {
		return *s.cfg.Relay, login{}, nil
	}
	cred, err := s.oauth.smtpInboxLogin(ctx, a)
	return a.settings.SMTP, cred, err
}

// smtpInboxLogin is the login to inbox a's SMTP server: its password, or an OAuth2 access
// token. A refused refresh token is a permanent SendError; a token endpoint that fails
// otherwise a temporary one.
func (o *oauthTokens) smtpInboxLogin(ctx context.Context, a account) (login, error) {
	if a.settings.OAuth == nil {
		return passwordLogin(a.secrets.SMTPPassword), nil
	}
	cred, err := o.login(ctx, a)
	var refused *RefusedError
	switch {
	case errors.As(err, &refused):
		return login{}, permanent("inbox %d cannot sign in to its mail server: %s; an admin must give it a new refresh token",
			a.inbox.ID, refused.Error())
	case err != nil:
		return login{}, temporary(err)
	}
	return cred, nil
}
