package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/migrations"
)

// demoAdmin is the demo's sign-in.
const demoAdmin = "admin@parley.local"

// demo seeds an admin, an agent and a supervisor, and customers who wrote through every channel
// (seedShowcase). It is idempotent: run again, it stores nothing twice and gives the three fresh
// passwords (printed) and the admin a fresh token.
func demo(ctx context.Context, c *cli) error {
	fs := c.flags("demo", "demo [--conversations N]")
	bulk := fs.Int("conversations", 0, "also bulk-seed N synthetic conversations with 5 messages each (benchmarks)")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	if _, err := migrations.Apply(ctx, a.pool); err != nil {
		return err
	}
	password := randomPassword()
	admin, err := a.store.AgentByEmail(ctx, demoAdmin)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		admin, err = a.store.CreateAgent(ctx, inbox.NewAgent{Email: demoAdmin, Name: "Demo Admin", Role: inbox.RoleAdmin, Password: password})
	case err == nil:
		err = a.store.SetPassword(ctx, admin.ID, password)
	}
	if err != nil {
		return fmt.Errorf("demo: admin: %w", err)
	}
	token, err := a.store.CreateToken(ctx, admin.ID, "demo")
	if err != nil {
		return fmt.Errorf("demo: token: %w", err)
	}
	fmt.Fprintf(c.stdout, "Demo ready.\n  sign in:   %s / %s\n  API token: %s\n", demoAdmin, password, token)
	if err := demoChatInbox(ctx, a, c.stdout); err != nil {
		return err
	}
	if err := seedShowcase(ctx, a, c.stdout); err != nil {
		return err
	}
	return seedConversations(ctx, a, *bulk, c.stderr)
}

// demoMessages are the demo's messages through the API channel, as an integration posts them.
func demoMessages() []inbox.Inbound {
	return []inbox.Inbound{
		{Channel: inbox.ChannelAPI, ExternalID: "demo-3", Name: "Li Wei",
			From:    inbox.Identity{Kind: inbox.IdentityEmail, Address: demoLastCustomer, Verified: true},
			Subject: "Cannot sign in", Text: "The password reset link says it has expired, every time I try."},
	}
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
