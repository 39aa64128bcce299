package main

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/inbox"
)

// inboxKinds are the `parley inbox add KIND` commands; each channel fills in its own flags.
type inboxKind func(ctx context.Context, c *cli) (inbox.NewInbox, error)

func inboxKinds() map[string]inboxKind {
	return map[string]inboxKind{
		"api":   apiInbox,
		"chat":  chatInbox,
		"email": emailInbox,
		"slack": slackInbox,
		"sms":   smsInbox,
	}
}

// inboxCmd is `parley inbox add KIND --name N ...`: it prints the new inbox's id.
func inboxCmd(ctx context.Context, c *cli) error {
	if _, err := c.sub("inbox", "add"); err != nil {
		return err
	}
	kinds := inboxKinds()
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	kind, err := c.sub("inbox add", names...)
	if err != nil {
		return err
	}
	in, err := kinds[kind](ctx, c)
	if err != nil {
		return err
	}
	a, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer a.close()
	created, err := a.store.CreateInbox(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, created.ID)
	return nil
}

// apiInbox is `parley inbox add api --name N`: a named API channel for an integration.
func apiInbox(ctx context.Context, c *cli) (inbox.NewInbox, error) {
	fs := c.flags("inbox add api", "inbox add api --name N [--team T]")
	name := fs.String("name", "", "the inbox's name")
	if err := fs.Parse(c.args); err != nil {
		return inbox.NewInbox{}, err
	}
	return inbox.NewInbox{Kind: inbox.ChannelAPI, Name: *name}, nil
}
