package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Admin is the Slack channel's part of the web admin's inbox pages: the app's bot token and
// signing secret, checked with Slack as `parley inbox add slack` checks them, and the alert
// channel.
type Admin struct {
	store  *inbox.Store
	apiURL string
}

// NewAdmin returns the Slack inbox admin over store; apiURL is PARLEY_SLACK_API_URL ("" for
// Slack itself).
func NewAdmin(store *inbox.Store, apiURL string) *Admin { return &Admin{store: store, apiURL: apiURL} }

// Kind is inbox.ChannelSlack.
func (*Admin) Kind() inbox.Channel { return inbox.ChannelSlack }

// Fields are the app's secrets and the alert channel.
func (*Admin) Fields() []channels.Field {
	return []channels.Field{
		{Name: "bot_token", Label: "Bot token", Type: "password", Secret: true, Required: true, Placeholder: "xoxb-...",
			Help: "OAuth & Permissions; the bot needs chat:write, users:read and users:read.email. Checked with Slack on saving."},
		{Name: "signing_secret", Label: "Signing secret", Type: "password", Secret: true, Required: true,
			Help: "Basic Information. Events go to PARLEY_PUBLIC_URL" + EventsPath + ", interactivity to PARLEY_PUBLIC_URL" + InteractionsPath + "."},
		{Name: "alert_channel", Label: "Alert channel id", Placeholder: "C0123ABCD", Help: "Where SLA alerts are posted; blank: none."},
	}
}

// Values are a Slack inbox's settings as the form shows them.
func (*Admin) Values(in inbox.Inbox) (map[string]string, error) {
	var s Settings
	if err := in.DecodeSettings(&s); err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	return map[string]string{"alert_channel": s.AlertChannel}, nil
}

// Build connects a new inbox with Connect. An edit with a new bot token checks it with Slack
// again; one without keeps who the app is and changes the signing secret and alert channel.
func (a *Admin) Build(ctx context.Context, f channels.Form) (channels.Built, error) {
	c := Connection{Name: f.Name, BotToken: f.Get("bot_token"), SigningSecret: f.Get("signing_secret"),
		AlertChannel: f.Get("alert_channel"), TeamID: f.TeamID, APIURL: a.apiURL}
	if f.Current == nil {
		in, err := Connect(ctx, a.store, c)
		return channels.Built{Inbox: in}, err
	}
	var saved Secrets
	if f.OpenSecrets != nil {
		if err := f.OpenSecrets(&saved); err != nil && !errors.Is(err, inbox.ErrNotFound) {
			return channels.Built{}, fmt.Errorf("slack: saved secrets: %w", err)
		}
	}
	if c.SigningSecret == "" {
		c.SigningSecret = saved.SigningSecret
	}
	if c.BotToken != "" {
		in, err := connect(ctx, a.store, c, f.Current.ID)
		return channels.Built{Inbox: in}, err
	}
	if err := checkAlertChannel(c.AlertChannel); err != nil {
		return channels.Built{}, err
	}
	var set Settings
	if err := f.Current.DecodeSettings(&set); err != nil {
		return channels.Built{}, fmt.Errorf("slack: %w", err)
	}
	set.AlertChannel = c.AlertChannel
	out := inbox.NewInbox{Kind: inbox.ChannelSlack, Name: f.Name, TeamID: f.TeamID, Settings: set}
	if f.Get("signing_secret") != "" {
		out.Secrets = Secrets{BotToken: saved.BotToken, SigningSecret: c.SigningSecret}
	}
	return channels.Built{Inbox: out}, nil
}

// The admin implements the web admin's contract.
var _ channels.InboxAdmin = (*Admin)(nil)
