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

// demo seeds an admin and a few conversations across channels. It is idempotent: run again,
// it stores nothing twice and gives the admin a fresh password (printed) and a fresh token.
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
	for _, in := range demoMessages() {
		if _, err := a.store.Ingest(ctx, in); err != nil {
			return fmt.Errorf("demo: message %s: %w", in.ExternalID, err)
		}
	}
	if err := seedConversations(ctx, a, *bulk, c.stderr); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Demo ready.\n  sign in:   %s / %s\n  API token: %s\n", demoAdmin, password, token)
	return demoChatInbox(ctx, a, c.stdout)
}

func demoMessages() []inbox.Inbound {
	email := func(addr string) inbox.Identity {
		return inbox.Identity{Kind: inbox.IdentityEmail, Address: addr, Verified: true}
	}
	phone := func(n string) inbox.Identity {
		return inbox.Identity{Kind: inbox.IdentityPhone, Address: n, Verified: true}
	}
	return []inbox.Inbound{
		{Channel: inbox.ChannelAPI, ExternalID: "demo-1", From: email("maria@example.com"), Name: "Maria Lopez",
			Subject: "Order #1042 arrived damaged", Text: "Hi, the blender I ordered arrived with a cracked jar. Can you send a replacement?"},
		{Channel: inbox.ChannelAPI, ExternalID: "demo-2", From: phone("+15550100200"), Name: "Sam Carter",
			Text: "Is my refund for order 977 processed yet?"},
		{Channel: inbox.ChannelAPI, ExternalID: "demo-3", From: email("li.wei@example.org"), Name: "Li Wei",
			Subject: "Cannot sign in", Text: "The password reset link says it has expired, every time I try."},
		{Channel: inbox.ChannelAPI, ExternalID: "demo-4", From: email("maria@example.com"), Name: "Maria Lopez",
			Text: "Adding a photo of the jar, in case you need it for the claim."},
	}
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
