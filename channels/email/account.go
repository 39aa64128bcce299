package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// Settings are an email inbox's visible settings: its address and the servers it reads and
// sends through, without passwords.
type Settings struct {
	// Address is the inbox's address, "support@example.com": replies are sent from it, their
	// Reply-To is its plus-address with the conversation's token, and our Message-IDs end in
	// its domain.
	Address string `json:"address"`
	IMAP    Server `json:"imap"`
	SMTP    Server `json:"smtp"`
	// OAuth, when set, signs in to both servers with OAuth2 (XOAUTH2) in place of the
	// passwords.
	OAuth *OAuth `json:"oauth,omitempty"`
}

// Secrets are an email inbox's passwords, or its OAuth2 client secret and refresh token,
// sealed at rest with PARLEY_SECRET_KEY.
type Secrets struct {
	IMAPPassword      string `json:"imap_password"`
	SMTPPassword      string `json:"smtp_password,omitempty"`
	OAuthClientSecret string `json:"oauth_client_secret,omitempty"`
	OAuthRefreshToken string `json:"oauth_refresh_token,omitempty"`
}

// NewInbox checks an email inbox's address and server URLs (see ParseIMAPURL and
// ParseSMTPURL) and returns what inbox.Store.CreateInbox stores. An error names what is wrong,
// never quoting a password; an inbox among existing that already reads the same mailbox is an
// error too (both would fetch the same mail).
func NewInbox(name, address, imapURL, smtpURL string, teamID int64, existing []inbox.Inbox) (inbox.NewInbox, error) {
	addr, err := parseInboxAddress(address)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	imapServer, imapPassword, err := ParseIMAPURL(imapURL)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	smtpServer, smtpPassword, err := ParseSMTPURL(smtpURL)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	if err := readsOnce(imapServer, existing, 0); err != nil {
		return inbox.NewInbox{}, err
	}
	return inbox.NewInbox{Kind: inbox.ChannelEmail, Name: name, TeamID: teamID,
		Settings: Settings{Address: addr, IMAP: imapServer, SMTP: smtpServer},
		Secrets:  Secrets{IMAPPassword: imapPassword, SMTPPassword: smtpPassword}}, nil
}

// readsOnce returns an error when an email inbox among existing, other than inbox self, already
// reads the mailbox of imapServer: both would fetch the same mail.
func readsOnce(imapServer Server, existing []inbox.Inbox, self int64) error {
	for _, in := range existing {
		var other Settings
		if in.ID == self || in.Kind != inbox.ChannelEmail || in.DecodeSettings(&other) != nil {
			continue
		}
		if strings.EqualFold(other.IMAP.Host, imapServer.Host) && other.IMAP.Port == imapServer.Port &&
			other.IMAP.Username == imapServer.Username && other.IMAP.Mailbox == imapServer.Mailbox {
			return fmt.Errorf("email: inbox: email inbox %d (%s) already reads this mailbox", in.ID, in.Name)
		}
	}
	return nil
}

// parseInboxAddress accepts a bare address and returns it lower-cased.
func parseInboxAddress(address string) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(address))
	if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
		return "", fmt.Errorf("email: inbox: %q is not an email address like support@example.com", address)
	}
	local, domain, _ := strings.Cut(strings.ToLower(a.Address), "@")
	if strings.Contains(local, "+") {
		return "", fmt.Errorf("email: inbox: give the address without a +tag: Parley adds its own")
	}
	if !strings.Contains(domain, ".") {
		return "", fmt.Errorf("email: inbox: %q needs a dotted domain", address)
	}
	return local + "@" + domain, nil
}

// account is an email inbox with its settings and opened passwords.
type account struct {
	inbox    inbox.Inbox
	settings Settings
	secrets  Secrets
}

// errNotEmail means an inbox is not an email inbox.
var errNotEmail = errors.New("not an email inbox")

// openAccount loads inbox id and opens its passwords. A missing inbox, or one of another kind,
// is inbox.ErrNotFound.
func openAccount(ctx context.Context, store *inbox.Store, id int64) (account, error) {
	in, err := store.GetInbox(ctx, id)
	if err != nil {
		return account{}, fmt.Errorf("email: %w", err)
	}
	return accountOf(store, in)
}

// accountOf opens an inbox already loaded.
func accountOf(store *inbox.Store, in inbox.Inbox) (account, error) {
	if in.Kind != inbox.ChannelEmail {
		return account{}, fmt.Errorf("email: inbox %d: %w: %w", in.ID, errNotEmail, inbox.ErrNotFound)
	}
	a := account{inbox: in}
	if err := in.DecodeSettings(&a.settings); err != nil {
		return account{}, fmt.Errorf("email: %w", err)
	}
	if err := store.OpenSecrets(in, &a.secrets); err != nil {
		return account{}, fmt.Errorf("email: inbox %d: %w", in.ID, err)
	}
	return a, nil
}

// localPart and domain split the inbox's address.
func (a account) localPart() string {
	l, _, _ := strings.Cut(a.settings.Address, "@")
	return l
}

func (a account) domain() string {
	_, d, _ := strings.Cut(a.settings.Address, "@")
	return d
}

// ownAddress reports whether addr is the inbox's address or one of its plus-addresses: mail
// from it is our own (a copy of a reply, a loop) and is never ingested.
func (a account) ownAddress(addr string) bool {
	local, domain, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok || domain != a.domain() {
		return false
	}
	base, _, _ := strings.Cut(local, "+")
	return base == a.localPart()
}
