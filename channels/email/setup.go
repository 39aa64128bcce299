package email

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// AddInbox is `parley inbox add email`: a mailbox read over IMAP and answered over SMTP. The
// passwords are sealed with PARLEY_SECRET_KEY; --imap-url and --smtp-url carry them, so either
// left out or given as "-" is read from stdin (channels.ReadSecrets), which keeps passwords out
// of the shell history.
func (*Channel) AddInbox(ctx context.Context, env channels.SetupEnv, args []string) (inbox.NewInbox, error) {
	fs := env.FlagSet("inbox add email", "inbox add email --name N --address support@example.com\n"+
		"       --imap-url imaps://USER:PASSWORD@HOST[:993][/MAILBOX] --smtp-url smtp://USER:PASSWORD@HOST[:587] [--team T]\n\n"+
		"IMAP URLs: imaps:// (TLS, port 993), imap+starttls:// (STARTTLS required, 143) or\n"+
		"imap:// (unencrypted: a server on this host or a test server only). The mailbox\n"+
		"defaults to INBOX.\n"+
		"SMTP URLs: smtps:// (TLS, 465) or smtp:// (587; STARTTLS whenever the server offers\n"+
		"it, and the password is sent only over TLS or to a loopback address).\n"+
		"Percent-encode '@', ':', '/' and '%' in a password.\n"+
		"Secrets: --imap-url, --smtp-url. "+channels.StdinSecretsHelp+"\n\n"+
		"Replies go out from --address with Reply-To address+TOKEN@domain (the token names the\n"+
		"conversation): the mailbox must accept plus-addresses, as most providers do.\n\n"+
		"OAuth2 sign-in (XOAUTH2) in place of passwords:\n"+
		"  inbox add email --name N --address support@example.com --oauth google|microsoft|custom\n"+
		"       --oauth-client-id ID [--oauth-client-secret S | --oauth-public-client] [--oauth-refresh-token T]\n"+
		"       [--oauth-token-url URL] [--oauth-tenant T] [--imap-url imaps://USER@HOST] [--smtp-url smtp://USER@HOST] [--team T]\n"+
		"The URLs carry no password; left out they are the provider's servers (a custom provider\n"+
		"needs them and --oauth-token-url), and the user is --address when they name none.\n"+
		"Secrets with --oauth: --oauth-client-secret (unless --oauth-public-client), --oauth-refresh-token.")
	name := fs.String("name", "", "the inbox's name, also the sender name of replies")
	address := fs.String("address", "", "the inbox's address, like support@example.com")
	imapURL := fs.String("imap-url", "", "the mailbox to read (default: first line of stdin)")
	smtpURL := fs.String("smtp-url", "", "the server to send through (default: second line of stdin)")
	team := fs.String("team", "", "the team that gets this inbox's conversations")
	var o OAuthSetup
	fs.StringVar(&o.Provider, "oauth", "", "sign in with OAuth2 at this provider: google, microsoft or custom")
	fs.StringVar(&o.TokenURL, "oauth-token-url", "", "a custom OAuth2 provider's token endpoint")
	fs.StringVar(&o.Tenant, "oauth-tenant", "", "microsoft: the directory (tenant) id or domain of an app registered in one directory (default common)")
	fs.StringVar(&o.ClientID, "oauth-client-id", "", "the OAuth2 client (app) id the refresh token was issued to")
	fs.StringVar(&o.ClientSecret, "oauth-client-secret", "", "the OAuth2 client secret (default: a line of stdin)")
	public := fs.Bool("oauth-public-client", false, "the OAuth2 client has no secret")
	fs.StringVar(&o.RefreshToken, "oauth-refresh-token", "", "the OAuth2 refresh token (default: a line of stdin)")
	if err := fs.Parse(args); err != nil {
		return inbox.NewInbox{}, err
	}
	if o.Provider != "" {
		return addOAuthInbox(ctx, env, *name, *address, *imapURL, *smtpURL, *team, o, *public)
	}
	if err := channels.ReadSecrets(env.Stdin, channels.SecretFlag{Name: "imap-url", Value: imapURL},
		channels.SecretFlag{Name: "smtp-url", Value: smtpURL}); err != nil {
		return inbox.NewInbox{}, fmt.Errorf("inbox add email: %w", err)
	}
	set, teamID, err := env.OpenSealed(ctx, inbox.ChannelEmail, "the passwords", *team)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	existing, err := set.Store.Inboxes(ctx, inbox.ChannelEmail)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	return NewInbox(*name, *address, *imapURL, *smtpURL, teamID, existing)
}

// addOAuthInbox is `parley inbox add email --oauth PROVIDER`: the secrets are the client secret
// (unless public) and the refresh token.
func addOAuthInbox(ctx context.Context, env channels.SetupEnv, name, address, imapURL, smtpURL, team string, o OAuthSetup, public bool) (inbox.NewInbox, error) {
	secrets := []channels.SecretFlag{{Name: "oauth-refresh-token", Value: &o.RefreshToken}}
	if !public {
		secrets = append([]channels.SecretFlag{{Name: "oauth-client-secret", Value: &o.ClientSecret}}, secrets...)
	} else if o.ClientSecret != "" {
		return inbox.NewInbox{}, fmt.Errorf("inbox add email: --oauth-public-client has no --oauth-client-secret")
	}
	if err := channels.ReadSecrets(env.Stdin, secrets...); err != nil {
		return inbox.NewInbox{}, fmt.Errorf("inbox add email: %w", err)
	}
	set, teamID, err := env.OpenSealed(ctx, inbox.ChannelEmail, "the OAuth2 client secret and refresh token", team)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	existing, err := set.Store.Inboxes(ctx, inbox.ChannelEmail)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	return NewOAuthInbox(name, address, imapURL, smtpURL, o, teamID, existing)
}
