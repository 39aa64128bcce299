package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// inboxCmd is `parley inbox add KIND --name N ...`: it prints the new inbox's id. KIND is api
// or a channel of channelList, which parses its own flags.
func inboxCmd(ctx context.Context, c *cli) error {
	if _, err := c.sub("inbox", "add"); err != nil {
		return err
	}
	kinds := map[string]channels.Channel{}
	names := []string{string(inbox.ChannelAPI)}
	for _, ch := range channelList(limits{}) {
		kinds[string(ch.Kind())] = ch
		names = append(names, string(ch.Kind()))
	}
	slices.Sort(names)
	kind, err := c.sub("inbox add", names...)
	if err != nil {
		return err
	}
	var a *app // opened once, by the channel's setup or here
	defer func() {
		if a != nil {
			a.close()
		}
	}()
	openApp := func(ctx context.Context) (*app, error) {
		if a == nil {
			opened, err := open(ctx, c)
			if err != nil {
				return nil, err
			}
			a = opened
		}
		return a, nil
	}
	var in inbox.NewInbox
	if ch, ok := kinds[kind]; ok {
		env := channels.SetupEnv{Stdin: c.stdin, Stdout: c.stdout, Stderr: c.stderr,
			Open: func(ctx context.Context) (channels.Setup, error) {
				a, err := openApp(ctx)
				if err != nil {
					return channels.Setup{}, err
				}
				return channels.Setup{Store: a.store, SecretKey: a.cfg.SecretKey, TwilioAPIURL: a.cfg.TwilioAPIURL,
					SlackAPIURL: a.cfg.SlackAPIURL}, nil
			}}
		in, err = ch.AddInbox(ctx, env, c.args)
	} else {
		in, err = apiInbox(c)
	}
	if err != nil {
		return err
	}
	if _, err := openApp(ctx); err != nil {
		return err
	}
	var created inbox.Inbox
	err = a.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		created, err = a.store.CreateInboxTx(ctx, tx, in)
		return inbox.CLIActor().Record(inbox.AuditInboxChanged, inbox.AuditTarget("inbox", created.ID),
			map[string]any{"action": "created", "kind": string(created.Kind), "name": created.Name}), err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, created.ID)
	return nil
}

// apiInbox is `parley inbox add api --name N`: a named API channel for an integration.
func apiInbox(c *cli) (inbox.NewInbox, error) {
	fs := c.flags("inbox add api", "inbox add api --name N")
	name := fs.String("name", "", "the inbox's name")
	if err := fs.Parse(c.args); err != nil {
		return inbox.NewInbox{}, err
	}
	return inbox.NewInbox{Kind: inbox.ChannelAPI, Name: *name}, nil
}
