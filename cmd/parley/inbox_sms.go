package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/inbox"
)

// smsInbox is `parley inbox add sms`: one Twilio number or messaging service. The auth token is
// sealed with PARLEY_SECRET_KEY.
func smsInbox(ctx context.Context, c *cli) (inbox.NewInbox, error) {
	fs := c.flags("inbox add sms", "inbox add sms --name N --from +15551234567 [--messaging-service-sid MG...]\n"+
		"       --account-sid AC... [--auth-token T] [--team T]\n\n"+
		"Without --auth-token the token is read from the first line of stdin.\n"+
		"Set the number's (or messaging service's) incoming-message webhook to\n"+
		"  POST PARLEY_PUBLIC_URL"+sms.InboundPath+"\n"+
		"Replies name PARLEY_PUBLIC_URL"+sms.StatusPath+" for their delivery statuses.")
	name := fs.String("name", "", "the inbox's name")
	from := fs.String("from", "", "the Twilio number, E.164 like +15551234567 (or a short code)")
	service := fs.String("messaging-service-sid", "", "a messaging service to send through and receive from, MG...")
	account := fs.String("account-sid", "", "the Twilio account SID, AC...")
	token := fs.String("auth-token", "", "the account's auth token (default: read from stdin)")
	team := fs.String("team", "", "the team that gets this inbox's conversations")
	if err := fs.Parse(c.args); err != nil {
		return inbox.NewInbox{}, err
	}
	if *token == "" {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return inbox.NewInbox{}, errors.New("inbox add sms: no --auth-token and nothing on stdin")
		}
		*token = strings.TrimSpace(line)
	}
	a, err := open(ctx, c)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	defer a.close()
	if a.cfg.SecretKey == "" {
		return inbox.NewInbox{}, errors.New("inbox add sms: PARLEY_SECRET_KEY is not set; it seals the auth token")
	}
	var teamID int64
	if *team != "" {
		t, err := a.store.TeamByName(ctx, *team)
		if err != nil {
			return inbox.NewInbox{}, fmt.Errorf("inbox add sms: team %q: %w", *team, err)
		}
		teamID = t.ID
	}
	existing, err := a.store.Inboxes(ctx, inbox.ChannelSMS)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	return sms.NewInbox(*name, sms.Settings{AccountSID: *account, From: *from, MessagingServiceSID: *service},
		*token, teamID, existing)
}
