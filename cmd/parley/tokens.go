package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// tokenCmd is `parley token add|list|revoke`.
func tokenCmd(ctx context.Context, c *cli) error {
	sub, err := c.sub("token", "add", "list", "revoke")
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return tokenList(ctx, c)
	case "revoke":
		return tokenRevoke(ctx, c)
	}
	return tokenAdd(ctx, c)
}

// tokenAdd is `parley token add`: it prints the new token once.
func tokenAdd(ctx context.Context, c *cli) error {
	fs := c.flags("token add", "token add --agent E [--name N] [--integration] [--expires 90d]\n\n"+
		"Prints a new API token once; only its hash is stored. An integration token may only post\n"+
		"inbound messages (POST /api/v1/inbound) and read GET /api/v1/me.")
	email := fs.String("agent", "", "the email of the agent the token acts as")
	name := fs.String("name", "cli", "a label for the token")
	integration := fs.Bool("integration", false, "make an integration token")
	var expires span
	fs.Var(&expires, "expires", "the token's lifetime, such as 30d or 12h (default: it does not expire)")
	a, ag, err := agentByEmailFlag(ctx, c, "token add", fs, email)
	if err != nil {
		return err
	}
	defer a.close()
	nt := inbox.NewToken{AgentID: ag.ID, Name: *name, Kind: inbox.TokenAgent}
	if *integration {
		nt.Kind = inbox.TokenIntegration
	}
	if expires > 0 {
		nt.ExpiresAt = time.Now().Add(time.Duration(expires))
	}
	token, _, err := a.store.IssueToken(ctx, nt, inbox.CLIActor())
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, token)
	return nil
}

// tokenList is `parley token list [--agent E]`.
func tokenList(ctx context.Context, c *cli) error {
	fs := c.flags("token list", "token list [--agent E]")
	email := fs.String("agent", "", "only this agent's tokens")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	var owner int64
	if *email != "" {
		ag, err := a.store.AgentByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("token list: agent %q: %w", *email, err)
		}
		owner = ag.ID
	}
	tokens, err := a.store.Tokens(ctx, owner)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tAGENT\tNAME\tKIND\tCREATED\tEXPIRES\tLAST USED")
	for _, t := range tokens {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.AgentEmail, t.Name, t.Kind,
			t.CreatedAt.UTC().Format(time.RFC3339), stampOr(t.ExpiresAt, "never"), stampOr(t.LastUsedAt, "never"))
	}
	return w.Flush()
}

// stampOr formats an optional instant.
func stampOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

// tokenRevoke is `parley token revoke --id N`: it stops working at once on every process.
func tokenRevoke(ctx context.Context, c *cli) error {
	fs := c.flags("token revoke", "token revoke --id N")
	id := fs.Int64("id", 0, "the token's id (see token list)")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	if *id <= 0 {
		return fmt.Errorf("token revoke: --id is required (see parley token list)")
	}
	t, err := a.store.RevokeToken(ctx, *id, 0, inbox.CLIActor())
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "token %d (%s of %s) revoked\n", t.ID, t.Name, t.AgentEmail)
	return nil
}
