package email

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// OAuthSetup is what `parley inbox add email --oauth PROVIDER` gives for an inbox that signs in
// with OAuth2.
type OAuthSetup struct {
	// Provider is ProviderGoogle, ProviderMicrosoft or ProviderCustom.
	Provider string
	// TokenURL is a custom provider's token endpoint.
	TokenURL string
	// Tenant is Microsoft's directory for an app registered in one directory only.
	Tenant       string
	ClientID     string
	ClientSecret string // empty for a public client
	RefreshToken string
}

// NewOAuthInbox is NewInbox for an inbox that signs in to its servers with OAuth2 (XOAUTH2):
// imapURL and smtpURL carry no password, and left empty they are the provider's servers
// (Google's or Microsoft's; a custom provider needs both); a URL without a user name signs in
// as the inbox's address. The client secret and the refresh token are sealed. An error names
// what is wrong, never quoting a secret.
func NewOAuthInbox(name, address, imapURL, smtpURL string, o OAuthSetup, teamID int64, existing []inbox.Inbox) (inbox.NewInbox, error) {
	addr, err := parseInboxAddress(address)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	settings, fe := newOAuth(o.Provider, o.TokenURL, o.Tenant, o.ClientID, o.RefreshToken)
	if fe != nil {
		return inbox.NewInbox{}, fmt.Errorf("email: inbox: --%s: %s", strings.ReplaceAll(fe.field, "_", "-"), fe.reason)
	}
	known := providers[settings.Provider]
	if imapURL == "" {
		imapURL = known.imapURL
	}
	if smtpURL == "" {
		smtpURL = known.smtpURL
	}
	if imapURL == "" || smtpURL == "" {
		return inbox.NewInbox{}, fmt.Errorf("email: inbox: a custom OAuth2 provider needs --imap-url and --smtp-url")
	}
	imapServer, imapPassword, err := parseIMAPURL(imapURL)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	smtpServer, smtpPassword, err := ParseSMTPURL(smtpURL)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	if imapPassword != "" || smtpPassword != "" {
		return inbox.NewInbox{}, fmt.Errorf("email: inbox: with OAuth2 sign-in the IMAP and SMTP URLs carry no password")
	}
	if imapServer.Username == "" {
		imapServer.Username = addr
	}
	if smtpServer.Username == "" {
		smtpServer.Username = imapServer.Username
	}
	if err := readsOnce(imapServer, existing, 0); err != nil {
		return inbox.NewInbox{}, err
	}
	return inbox.NewInbox{Kind: inbox.ChannelEmail, Name: name, TeamID: teamID,
		Settings: Settings{Address: addr, IMAP: imapServer, SMTP: smtpServer, OAuth: &settings},
		Secrets:  Secrets{OAuthClientSecret: o.ClientSecret, OAuthRefreshToken: o.RefreshToken}}, nil
}
