package sms

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// AddInbox is `parley inbox add sms`: one Twilio number or messaging service. The auth token is
// sealed with PARLEY_SECRET_KEY.
func (*Channel) AddInbox(ctx context.Context, env channels.SetupEnv, args []string) (inbox.NewInbox, error) {
	fs := env.FlagSet("inbox add sms", "inbox add sms --name N --from +15551234567 [--messaging-service-sid MG...]\n"+
		"       --account-sid AC... [--auth-token T] [--team T]\n\n"+
		"Secrets: --auth-token. "+channels.StdinSecretsHelp+"\n"+
		"Set the number's (or messaging service's) incoming-message webhook to\n"+
		"  POST PARLEY_PUBLIC_URL"+InboundPath+"\n"+
		"Replies name PARLEY_PUBLIC_URL"+StatusPath+" for their delivery statuses.")
	name := fs.String("name", "", "the inbox's name")
	from := fs.String("from", "", "the Twilio number, E.164 like +15551234567 (or a short code)")
	service := fs.String("messaging-service-sid", "", "a messaging service to send through and receive from, MG...")
	account := fs.String("account-sid", "", "the Twilio account SID, AC...")
	token := fs.String("auth-token", "", "the account's auth token (default: read from stdin)")
	team := fs.String("team", "", "the team that gets this inbox's conversations")
	if err := fs.Parse(args); err != nil {
		return inbox.NewInbox{}, err
	}
	if err := channels.ReadSecrets(env.Stdin, channels.SecretFlag{Name: "auth-token", Value: token}); err != nil {
		return inbox.NewInbox{}, fmt.Errorf("inbox add sms: %w", err)
	}
	*token = strings.TrimSpace(*token)
	set, teamID, err := env.OpenSealed(ctx, inbox.ChannelSMS, "the auth token", *team)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	existing, err := set.Store.Inboxes(ctx, inbox.ChannelSMS)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	return NewInbox(*name, Settings{AccountSID: *account, From: *from, MessagingServiceSID: *service},
		*token, teamID, existing)
}
