package main

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// agentCmd is `parley agent add`.
func agentCmd(ctx context.Context, c *cli) error {
	if _, err := c.sub("agent", "add"); err != nil {
		return err
	}
	fs := c.flags("agent add", "agent add --email E --name N --role agent|supervisor|admin [--password P]\n\n"+
		"Secrets: --password. "+channels.StdinSecretsHelp)
	email := fs.String("email", "", "the agent's email (their sign-in)")
	name := fs.String("name", "", "the agent's display name")
	role := fs.String("role", "agent", "agent, supervisor or admin")
	password := fs.String("password", "", "the password (left out or -: read from stdin)")
	capacity := fs.Int("capacity", 10, "how many open conversations the agent takes at once")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if err := channels.ReadSecrets(c.stdin, channels.SecretFlag{Name: "password", Value: password}); err != nil {
		return fmt.Errorf("agent add: %w", err)
	}
	a, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer a.close()
	ag, err := a.store.CreateAgent(ctx, inbox.NewAgent{Email: *email, Name: *name, Role: inbox.Role(*role),
		Password: *password, Capacity: *capacity})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "agent %d: %s <%s> (%s)\n", ag.ID, ag.Name, ag.Email, ag.Role)
	return nil
}

// tokenCmd is `parley token add`.
func tokenCmd(ctx context.Context, c *cli) error {
	if _, err := c.sub("token", "add"); err != nil {
		return err
	}
	fs := c.flags("token add", "token add --agent E [--name N]\n\nPrints a new API token once; only its hash is stored.")
	email := fs.String("agent", "", "the email of the agent the token acts as")
	name := fs.String("name", "", "a label for the token")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	ag, err := a.store.AgentByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("token add: agent %q: %w", *email, err)
	}
	token, err := a.store.CreateToken(ctx, ag.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, token)
	return nil
}

// teamCmd is `parley team add`.
func teamCmd(ctx context.Context, c *cli) error {
	if _, err := c.sub("team", "add"); err != nil {
		return err
	}
	fs := c.flags("team add", "team add --name N [--members a@x,b@y] [--default-queue]")
	name := fs.String("name", "", "the team's name")
	queue := fs.Bool("default-queue", false, "its agents also see the conversations no rule has routed to a team")
	var members stringList
	fs.Var(&members, "members", "member emails, comma separated or repeated")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	t, err := a.store.CreateTeam(ctx, *name, members)
	if err != nil {
		return err
	}
	if *queue {
		if err := a.store.SetDefaultQueue(ctx, t.ID, true); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.stdout, "team %d: %s (%d members)\n", t.ID, t.Name, len(t.Members))
	return nil
}
