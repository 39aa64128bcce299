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
		"conversation): the mailbox must accept plus-addresses, as most providers do.")
	name := fs.String("name", "", "the inbox's name, also the sender name of replies")
	address := fs.String("address", "", "the inbox's address, like support@example.com")
	imapURL := fs.String("imap-url", "", "the mailbox to read (default: first line of stdin)")
	smtpURL := fs.String("smtp-url", "", "the server to send through (default: second line of stdin)")
	team := fs.String("team", "", "the team that gets this inbox's conversations")
	if err := fs.Parse(args); err != nil {
		return inbox.NewInbox{}, err
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
