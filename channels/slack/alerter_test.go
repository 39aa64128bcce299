package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/inbox"
)

func TestAlertPostsToTheTeamsChannelWithALink(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A second Slack inbox, of the Billing team, with its own alert channel.
	if _, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSlack, Name: "Billing Slack", TeamID: billing.ID,
		Settings: slack.Settings{TeamID: "T0BILLING", AppID: "A0BILLING", AlertChannel: "C0BILLALERTS"},
		Secrets:  slack.Secrets{BotToken: botToken, SigningSecret: "s2"}}); err != nil {
		t.Fatal(err)
	}
	al := slack.NewAlerter(e.store, e.fake.URL(), "https://parley.example/", nil)

	breach := slack.Alert{Title: "First response overdue", Text: "<!channel> from a customer", Level: slack.LevelCritical, ConversationID: 42}
	if err := al.Notify(ctx, billing.ID, breach); err != nil {
		t.Fatal(err)
	}
	if err := al.Notify(ctx, billing.ID+100, slack.Alert{Title: "Resolution overdue", ConversationID: 7}); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts = %+v", posts)
	}
	if posts[0].Channel != "C0BILLALERTS" || !strings.Contains(string(posts[0].Blocks), `"url":"https://parley.example/inbox/42"`) {
		t.Fatalf("team alert = %+v, blocks %s", posts[0], posts[0].Blocks)
	}
	if strings.Contains(posts[0].Text, "<!channel>") {
		t.Fatalf("customer text can mention @channel: %q", posts[0].Text)
	}
	if posts[1].Channel != "C0ALERTS" || !strings.Contains(string(posts[1].Blocks), "/inbox/7") {
		t.Fatalf("default alert = %+v, blocks %s", posts[1], posts[1].Blocks)
	}
}

func TestAlertWithoutChannelPostsNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `UPDATE inboxes SET settings = settings - 'alert_channel'`); err != nil {
		t.Fatal(err)
	}
	al := slack.NewAlerter(e.store, e.fake.URL(), "https://parley.example", nil)
	if err := al.Notify(ctx, 0, slack.Alert{Title: "x", ConversationID: 1}); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Calls("chat.postMessage"); n != 0 {
		t.Fatalf("%d posts, want none", n)
	}
}

// The workflow's SLA alert is posted with its title and a link, at the level its kind says.
func TestAlertOfTheWorkflow(t *testing.T) {
	t.Parallel()
	e := setup(t)
	al := slack.NewAlerter(e.store, e.fake.URL(), "https://parley.example", nil)
	breach := channels.Alert{Kind: channels.AlertBreach, ConversationID: 9, Subject: "Export stuck",
		Target: "first_response", Due: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), Priority: inbox.PriorityHigh}
	if err := al.Alert(context.Background(), 0, breach); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %+v", posts)
	}
	blocks := string(posts[0].Blocks)
	for _, want := range []string{breach.Title(), ":rotating_light:", "Export stuck", `"url":"https://parley.example/inbox/9"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("alert blocks %s lack %q", blocks, want)
		}
	}
}
