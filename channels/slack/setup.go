package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// AddInbox is `parley inbox add slack`: a Slack workspace's app. It checks the bot token with
// Slack (auth.test, through PARLEY_SLACK_API_URL when set) and stores who the app is.
func (*Channel) AddInbox(ctx context.Context, env channels.SetupEnv, args []string) (inbox.NewInbox, error) {
	fs := env.FlagSet("inbox add slack", "inbox add slack --name N --bot-token xoxb-... --signing-secret S\n"+
		"       [--team T] [--alert-channel C]\n\n"+
		"Set the Slack app's Event Subscriptions Request URL to PARLEY_PUBLIC_URL"+EventsPath+"\n"+
		"and its Interactivity Request URL to PARLEY_PUBLIC_URL"+InteractionsPath+" (survey buttons),\n"+
		"subscribe it to message.channels, message.groups, message.im and message.mpim.\n"+
		"The bot needs chat:write, users:read and users:read.email (to match customers by email).\n"+
		"Alerts (SLA breaches) for team T go to --alert-channel; without --team, that channel\n"+
		"takes the alerts of every team that has no Slack inbox of its own.\n"+
		"Secrets: --bot-token, --signing-secret. "+channels.StdinSecretsHelp)
	name := fs.String("name", "", "the inbox's name")
	token := fs.String("bot-token", "", "the app's bot token, xoxb-... (OAuth & Permissions)")
	secret := fs.String("signing-secret", "", "the app's signing secret (Basic Information)")
	team := fs.String("team", "", "the team that gets this workspace's conversations and its alerts")
	alerts := fs.String("alert-channel", "", "the id of the channel staff alerts are posted to, like C0123ABCD (the bot must be in it)")
	if err := fs.Parse(args); err != nil {
		return inbox.NewInbox{}, err
	}
	if err := channels.ReadSecrets(env.Stdin, channels.SecretFlag{Name: "bot-token", Value: token},
		channels.SecretFlag{Name: "signing-secret", Value: secret}); err != nil {
		return inbox.NewInbox{}, fmt.Errorf("inbox add slack: %w", err)
	}
	*token, *secret = strings.TrimSpace(*token), strings.TrimSpace(*secret)
	set, teamID, err := env.OpenSealed(ctx, inbox.ChannelSlack, "the bot token and signing secret", *team)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	conn := Connection{Name: *name, BotToken: *token, SigningSecret: *secret, AlertChannel: *alerts,
		APIURL: set.SlackAPIURL, TeamID: teamID}
	return Connect(ctx, set.Store, conn)
}
