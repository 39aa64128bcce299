package email

import (
	"bufio"
	"context"
	"errors"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// AddInbox is `parley inbox add email`: a mailbox read over IMAP and answered over SMTP. The
// passwords are sealed with PARLEY_SECRET_KEY; without --imap-url and --smtp-url the two URLs
// are read from the first two lines of stdin, which keeps passwords out of the shell history.
func (*Channel) AddInbox(ctx context.Context, env channels.SetupEnv, args []string) (inbox.NewInbox, error) {
	fs := env.FlagSet("inbox add email", "inbox add email --name N --address support@example.com\n"+
		"       --imap-url imaps://USER:PASSWORD@HOST[:993][/MAILBOX] --smtp-url smtp://USER:PASSWORD@HOST[:587] [--team T]\n\n"+
		"IMAP URLs: imaps:// (TLS, port 993), imap+starttls:// (STARTTLS required, 143) or\n"+
		"imap:// (unencrypted: a server on this host or a test server only). The mailbox\n"+
		"defaults to INBOX.\n"+
		"SMTP URLs: smtps:// (TLS, 465) or smtp:// (587; STARTTLS whenever the server offers\n"+
		"it, and the password is sent only over TLS or to a loopback address).\n"+
		"Percent-encode '@', ':', '/' and '%' in a password. Without --imap-url and --smtp-url\n"+
		"the URLs are read from the first two lines of stdin.\n\n"+
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
	if *imapURL == "" || *smtpURL == "" {
		in := bufio.NewReader(env.Stdin)
		for _, u := range []*string{imapURL, smtpURL} {
			if *u != "" {
				continue
			}
			line, err := in.ReadString('\n')
			if err != nil && line == "" {
				return inbox.NewInbox{}, errors.New("inbox add email: give --imap-url and --smtp-url, or the two URLs on stdin")
			}
			*u = strings.TrimSpace(line)
		}
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
