package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// agentCmd is `parley agent add|list|deactivate|activate|set-role`.
func agentCmd(ctx context.Context, c *cli) error {
	sub, err := c.sub("agent", "add", "list", "deactivate", "activate", "set-role")
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return agentList(ctx, c)
	case "deactivate", "activate":
		return agentActive(ctx, c, sub)
	case "set-role":
		return agentSetRole(ctx, c)
	}
	return agentAdd(ctx, c)
}

// agentAdd is `parley agent add`.
func agentAdd(ctx context.Context, c *cli) error {
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
	ag, err := a.store.CreateAgentBy(ctx, inbox.NewAgent{Email: *email, Name: *name, Role: inbox.Role(*role),
		Password: *password, Capacity: *capacity}, inbox.CLIActor())
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "agent %d: %s <%s> (%s)\n", ag.ID, ag.Name, ag.Email, ag.Role)
	return nil
}

// agentList is `parley agent list`: every agent, deactivated ones marked.
func agentList(ctx context.Context, c *cli) error {
	fs := c.flags("agent list", "agent list")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	agents, err := a.store.Agents(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLE\tSTATUS\tAVAILABILITY")
	for _, ag := range agents {
		status := "active"
		if !ag.Active {
			status = "deactivated"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", ag.ID, ag.Email, ag.Name, ag.Role, status, ag.Availability)
	}
	return w.Flush()
}

// agentByEmailFlag opens the database and finds the agent whose email a verb's flag (email) names.
func agentByEmailFlag(ctx context.Context, c *cli, verb string, fs *flag.FlagSet, email *string) (*app, inbox.Agent, error) {
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return nil, inbox.Agent{}, err
	}
	if *email == "" {
		a.close()
		return nil, inbox.Agent{}, fmt.Errorf("%s: which agent? give their email (see -h)", verb)
	}
	ag, err := a.store.AgentByEmail(ctx, *email)
	if err != nil {
		a.close()
		return nil, inbox.Agent{}, fmt.Errorf("%s: agent %q: %w", verb, *email, err)
	}
	return a, ag, nil
}

// agentActive is `parley agent deactivate|activate --email E`.
func agentActive(ctx context.Context, c *cli, sub string) error {
	verb := "agent " + sub
	fs := c.flags(verb, verb+" --email E\n\nDeactivating signs the agent out everywhere at once, refuses their tokens and\nputs their open conversations back in their teams' queues; their history stays.")
	email := fs.String("email", "", "the agent's email")
	a, ag, err := agentByEmailFlag(ctx, c, verb, fs, email)
	if err != nil {
		return err
	}
	defer a.close()
	if sub == "activate" {
		if err := a.store.ActivateAgent(ctx, ag.ID, inbox.CLIActor()); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "agent %d <%s> activated\n", ag.ID, ag.Email)
		return nil
	}
	freed, err := a.store.DeactivateAgent(ctx, ag.ID, inbox.CLIActor())
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "agent %d <%s> deactivated; %d open conversations back in their queues\n", ag.ID, ag.Email, freed)
	return nil
}

// agentSetRole is `parley agent set-role --email E --role R`.
func agentSetRole(ctx context.Context, c *cli) error {
	fs := c.flags("agent set-role", "agent set-role --email E --role agent|supervisor|admin")
	email := fs.String("email", "", "the agent's email")
	role := fs.String("role", "", "agent, supervisor or admin")
	a, ag, err := agentByEmailFlag(ctx, c, "agent set-role", fs, email)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.store.SetAgentRole(ctx, ag.ID, inbox.Role(*role), inbox.CLIActor()); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "agent %d <%s> is now %s\n", ag.ID, ag.Email, *role)
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
	var t inbox.Team
	err = a.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		t, err = a.store.CreateTeamTx(ctx, tx, *name, members)
		if err == nil && *queue {
			err = a.store.SetDefaultQueueTx(ctx, tx, t.ID, true)
			t.DefaultQueue = err == nil
		}
		return inbox.CLIActor().Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", t.ID),
			map[string]any{"action": "created", "name": t.Name, "members": t.Members, "default_queue": t.DefaultQueue}), err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "team %d: %s (%d members)\n", t.ID, t.Name, len(t.Members))
	return nil
}
