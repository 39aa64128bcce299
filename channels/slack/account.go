package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// Settings are a Slack inbox's visible settings: who the app is in its workspace, learned from
// auth.test when the inbox is added, and where staff alerts go.
type Settings struct {
	TeamID    string `json:"team_id"`     // the workspace the app is installed in, "T..."
	AppID     string `json:"app_id"`      // the app, "A..."
	BotUserID string `json:"bot_user_id"` // the bot's user, "U..."
	BotID     string `json:"bot_id"`      // the bot, "B..."
	// AlertChannel is the channel ("C...") staff alerts are posted to: alerts for the inbox's
	// team, or for every team when the inbox has none. Empty: no alerts from this workspace.
	AlertChannel string `json:"alert_channel,omitempty"`
}

// Self is the app's identity for Parse.
func (s Settings) Self() Self { return Self{BotUserID: s.BotUserID, BotID: s.BotID, AppID: s.AppID} }

// Secrets are a Slack inbox's credentials, sealed at rest with PARLEY_SECRET_KEY.
type Secrets struct {
	BotToken      string `json:"bot_token"`
	SigningSecret string `json:"signing_secret"`
}

// Connection is what an admin gives to connect a Slack workspace.
type Connection struct {
	Name          string
	BotToken      string // "xoxb-..."
	SigningSecret string
	AlertChannel  string // optional
	TeamID        int64  // optional: the Parley team of the inbox
	APIURL        string // PARLEY_SLACK_API_URL; "" for Slack itself
}

// Connect checks a connection and returns the inbox to create: it calls auth.test (and
// bots.info) with the bot token to learn who the app is. A missing field, a token that is not a
// bot token, or a token Slack refuses is a *inbox.ValidationError saying so (Field name,
// bot_token, signing_secret or alert_channel); so is a workspace and app already connected by
// another inbox, as one events URL serves them all and could not tell them apart.
func Connect(ctx context.Context, store *inbox.Store, c Connection) (inbox.NewInbox, error) {
	return connect(ctx, store, c, 0)
}

// connect is Connect for a new inbox (self 0) or for inbox self, given a new bot token.
func connect(ctx context.Context, store *inbox.Store, c Connection, self int64) (inbox.NewInbox, error) {
	bad := func(field, reason string) error {
		return fmt.Errorf("slack: connect: %w", &inbox.ValidationError{Field: field, Reason: reason})
	}
	switch {
	case strings.TrimSpace(c.Name) == "":
		return inbox.NewInbox{}, bad("name", "--name is required")
	case !strings.HasPrefix(c.BotToken, "xoxb-"):
		return inbox.NewInbox{}, bad("bot_token", "--bot-token must be the app's bot token (xoxb-...)")
	case strings.TrimSpace(c.SigningSecret) == "":
		return inbox.NewInbox{}, bad("signing_secret", "--signing-secret is required (the app's Basic Information page)")
	}
	if err := checkAlertChannel(c.AlertChannel); err != nil {
		return inbox.NewInbox{}, err
	}
	app, team, err := New(c.BotToken, c.APIURL).AuthTest(ctx)
	if err != nil {
		return inbox.NewInbox{}, bad("bot_token", "Slack refused the bot token: "+err.Error())
	}
	set := Settings{TeamID: team, AppID: app.AppID, BotUserID: app.BotUserID, BotID: app.BotID,
		AlertChannel: c.AlertChannel}
	accts, err := accounts(ctx, store)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	for _, a := range accts {
		if a.inbox.ID != self && a.settings.TeamID == set.TeamID && a.settings.AppID == set.AppID {
			return inbox.NewInbox{}, bad("bot_token", fmt.Sprintf("workspace %s and app %s are already connected as inbox %d (%s)",
				set.TeamID, set.AppID, a.inbox.ID, a.inbox.Name))
		}
	}
	return inbox.NewInbox{Kind: inbox.ChannelSlack, Name: c.Name, Settings: set, TeamID: c.TeamID,
		Secrets: Secrets{BotToken: c.BotToken, SigningSecret: c.SigningSecret}}, nil
}

// checkAlertChannel refuses a channel name where a channel id belongs.
func checkAlertChannel(ch string) error {
	if strings.ContainsAny(ch, " #\t") {
		return fmt.Errorf("slack: connect: %w", &inbox.ValidationError{Field: "alert_channel",
			Reason: "--alert-channel takes a channel id such as C0123ABCD"})
	}
	return nil
}

// account is a Slack inbox with its settings decoded and its secrets opened.
type account struct {
	inbox    inbox.Inbox
	settings Settings
	secrets  Secrets
}

// accounts lists the Slack inboxes, opened. One whose secrets cannot be opened (a changed
// PARLEY_SECRET_KEY) fails the whole list: every request would fail the same way.
func accounts(ctx context.Context, store *inbox.Store) ([]account, error) {
	ins, err := store.Inboxes(ctx, inbox.ChannelSlack)
	if err != nil {
		return nil, fmt.Errorf("slack: inboxes: %w", err)
	}
	out := make([]account, 0, len(ins))
	for _, in := range ins {
		a, err := open(store, in)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// open decodes one Slack inbox.
func open(store *inbox.Store, in inbox.Inbox) (account, error) {
	a := account{inbox: in}
	if err := in.DecodeSettings(&a.settings); err != nil {
		return a, fmt.Errorf("slack: inbox %d: %w", in.ID, err)
	}
	if err := store.OpenSecrets(in, &a.secrets); err != nil {
		return a, fmt.Errorf("slack: inbox %d: %w", in.ID, err)
	}
	return a, nil
}

// client returns a Web API client with the account's bot token.
func (a account) client(apiURL string) *Client { return New(a.secrets.BotToken, apiURL) }
