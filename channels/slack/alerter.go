package slack

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Alerter posts staff alerts (an SLA breach, an escalation) into a team's Slack alert channel;
// it implements channels.Alerter.
// A team's channel is the AlertChannel of the Slack inbox assigned to that team (`parley inbox
// add slack --team T --alert-channel C`); a team without one uses the AlertChannel of a Slack
// inbox assigned to no team, the workspace-wide default.
type Alerter struct {
	store     *inbox.Store
	apiURL    string
	publicURL string
	log       *slog.Logger
}

// NewAlerter returns an Alerter. apiURL is PARLEY_SLACK_API_URL ("" for Slack itself);
// publicURL is PARLEY_PUBLIC_URL, the base of the links to conversations.
func NewAlerter(store *inbox.Store, apiURL, publicURL string, log *slog.Logger) *Alerter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Alerter{store: store, apiURL: apiURL, publicURL: strings.TrimRight(publicURL, "/"), log: log}
}

// ConversationURL is the conversation's page in the web inbox.
func (a *Alerter) ConversationURL(conversationID int64) string {
	return a.publicURL + inbox.ConversationPath(conversationID)
}

// Alert posts an SLA alert of the workflow (a warning, a breach, an escalation) to teamID's
// alert channel, linking to the conversation: it implements channels.Alerter. See Notify.
func (a *Alerter) Alert(ctx context.Context, teamID int64, al channels.Alert) error {
	level := LevelCritical
	if al.Kind == channels.AlertWarning {
		level = LevelWarning
	}
	return a.Notify(ctx, teamID, Alert{Title: al.Title(), Text: al.Text(), Level: level, ConversationID: al.ConversationID})
}

// Notify posts al to teamID's alert channel (teamID 0: the default channel), with a button
// opening al.ConversationID in the web inbox unless al.URL is set. Without any alert channel
// configured it posts nothing and returns nil. A failed post returns an error with Temporary and
// RetryAfter methods, as a Sender's, for the caller's job to retry or give up.
func (a *Alerter) Notify(ctx context.Context, teamID int64, al Alert) error {
	acct, ok, err := a.channelFor(ctx, teamID)
	if err != nil {
		return err
	}
	if !ok {
		a.log.Info("slack: no alert channel for the team; alert not posted", "team", teamID, "title", al.Title)
		return nil
	}
	if al.URL == "" && al.ConversationID != 0 {
		al.URL = a.ConversationURL(al.ConversationID)
	}
	if _, err := acct.client(a.apiURL).PostAlert(ctx, acct.settings.AlertChannel, al); err != nil {
		return retryable(fmt.Errorf("slack: alert team %d: %w", teamID, err))
	}
	return nil
}

// channelFor picks the Slack inbox whose alert channel serves teamID.
func (a *Alerter) channelFor(ctx context.Context, teamID int64) (account, bool, error) {
	accts, err := accounts(ctx, a.store)
	if err != nil {
		return account{}, false, err
	}
	var fallback *account
	for i, acct := range accts {
		if acct.settings.AlertChannel == "" {
			continue
		}
		switch {
		case acct.inbox.TeamID != nil && *acct.inbox.TeamID == teamID && teamID != 0:
			return acct, true, nil
		case acct.inbox.TeamID == nil && fallback == nil:
			fallback = &accts[i]
		}
	}
	if fallback == nil {
		return account{}, false, nil
	}
	return *fallback, true, nil
}

// The Alerter is the contract's, which workflow consumes.
var _ channels.Alerter = (*Alerter)(nil)
