package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// The demo's people, team, policy and inboxes.
const (
	demoAgentEmail      = "riley@parley.local"
	demoSupervisorEmail = "morgan@parley.local"
	demoTeam            = "Customer care"
	demoPolicy          = "Customer care: answer within the hour"
	demoEmailInbox      = "Support email"
	demoSMSInbox        = "Support SMS"
	demoSlackInbox      = "Acme Slack"
	demoEmailAddress    = "support@acme.example"
	demoSMSAccount      = "AC0000000000000000000000000000de30"
	demoSMSNumber       = "+15005550006"
	demoIMAPHost        = "imap.acme.example"
	// demoLastCustomer wrote the message seeded last: once they exist, the showcase does.
	demoLastCustomer = "li.wei@example.org"
)

// showcase is what the demo built that the channel seeding needs.
type showcase struct {
	team       inbox.Team
	agent      inbox.Agent
	supervisor inbox.Agent
}

// demoPerson creates the agent of email (or gives them a fresh password) and returns them with
// the password.
func demoPerson(ctx context.Context, a *app, email, name string, role inbox.Role) (inbox.Agent, string, error) {
	password := randomPassword()
	ag, err := a.store.AgentByEmail(ctx, email)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		ag, err = a.store.CreateAgent(ctx, inbox.NewAgent{Email: email, Name: name, Role: role, Password: password})
	case err == nil:
		err = a.store.SetPassword(ctx, ag.ID, password)
	}
	if err != nil {
		return ag, "", fmt.Errorf("demo: %s: %w", email, err)
	}
	return ag, password, nil
}

// seedShowcase builds the product's tour: an agent and a supervisor (their sign-ins printed), a
// team with an SLA policy, an inbox of every channel, and customers who wrote through each of
// them (see seedChannels). Email, SMS and Slack keep credentials, so without PARLEY_SECRET_KEY
// only the chat and the API channel are seeded, and the demo says so.
func seedShowcase(ctx context.Context, a *app, out io.Writer) error {
	var sc showcase
	var agentPW, supPW string
	var err error
	if sc.agent, agentPW, err = demoPerson(ctx, a, demoAgentEmail, "Riley Agent", inbox.RoleAgent); err != nil {
		return err
	}
	if sc.supervisor, supPW, err = demoPerson(ctx, a, demoSupervisorEmail, "Morgan Supervisor", inbox.RoleSupervisor); err != nil {
		return err
	}
	fmt.Fprintf(out, "  agent:      %s / %s\n  supervisor: %s / %s\n", demoAgentEmail, agentPW, demoSupervisorEmail, supPW)
	// The API channel's message is seeded last: once its customer exists, everything does.
	if _, err := a.store.ContactByIdentity(ctx, inbox.IdentityEmail, demoLastCustomer); err == nil {
		return nil
	} else if !errors.Is(err, inbox.ErrNotFound) {
		return err
	}
	sc.team, err = a.store.TeamByName(ctx, demoTeam)
	if errors.Is(err, inbox.ErrNotFound) {
		sc.team, err = a.store.CreateTeam(ctx, demoTeam, []string{demoAgentEmail, demoSupervisorEmail})
	}
	if err != nil {
		return fmt.Errorf("demo: team: %w", err)
	}
	if err := demoSLA(ctx, a, sc.team.ID); err != nil {
		return err
	}
	if a.cfg.SecretKey == "" {
		fmt.Fprintln(out, "  (PARLEY_SECRET_KEY is not set: no email, SMS or Slack inbox seeded; `make run` sets one)")
	} else if err := demoInboxes(ctx, a, sc.team.ID); err != nil {
		return err
	}
	return seedChannels(ctx, a, sc)
}

// demoSLA is the team's policy: a first answer within the hour, resolution within a day,
// warned at 80%.
func demoSLA(ctx context.Context, a *app, teamID int64) error {
	svc := workflow.NewSLA(a.pool, a.store).As(inbox.CLIActor())
	list, err := svc.Policies(ctx)
	if err != nil {
		return err
	}
	for _, p := range list {
		if p.Name == demoPolicy {
			return nil
		}
	}
	pause := true
	_, err = svc.CreatePolicy(ctx, workflow.NewPolicy{
		Name: demoPolicy, TeamID: teamID, FirstResponse: time.Hour, Resolution: 24 * time.Hour,
		PausePending: &pause, WarnAt: 0.8, EscalateAfter: 30 * time.Minute})
	if err != nil {
		return fmt.Errorf("demo: SLA policy: %w", err)
	}
	return nil
}

// demoInboxes creates an email, an SMS and a Slack inbox for the team. Their providers are
// made up: under `parley serve --sandbox` (make run) their replies reach the sandbox.
func demoInboxes(ctx context.Context, a *app, teamID int64) error {
	existing, err := a.store.Inboxes(ctx, "")
	if err != nil {
		return err
	}
	var todo []inbox.NewInbox
	if !demoHas(existing, inbox.ChannelEmail, demoEmailInbox) {
		mail, err := email.NewInbox(demoEmailInbox, demoEmailAddress,
			"imap+starttls://support%40acme.example:demo-imap-password@"+demoIMAPHost+"/INBOX",
			"smtp://support%40acme.example:demo-smtp-password@smtp.acme.example:587", teamID, existing)
		if err != nil {
			return fmt.Errorf("demo: email inbox: %w", err)
		}
		todo = append(todo, mail)
	}
	if !demoHas(existing, inbox.ChannelSMS, demoSMSInbox) {
		text, err := sms.NewInbox(demoSMSInbox, sms.Settings{AccountSID: demoSMSAccount, From: demoSMSNumber},
			demoSMSToken, teamID, existing)
		if err != nil {
			return fmt.Errorf("demo: SMS inbox: %w", err)
		}
		todo = append(todo, text)
	}
	if !demoHas(existing, inbox.ChannelSlack, demoSlackInbox) {
		id := slacktest.DefaultIdentity()
		todo = append(todo, inbox.NewInbox{Kind: inbox.ChannelSlack, Name: demoSlackInbox, TeamID: teamID,
			Settings: slack.Settings{TeamID: id.TeamID, AppID: id.AppID, BotUserID: id.BotUserID, BotID: id.BotID},
			Secrets:  slack.Secrets{BotToken: "xoxb-demo-" + randomPassword(), SigningSecret: demoSlackSecret}})
	}
	for _, in := range todo {
		if _, err := a.store.CreateInbox(ctx, in); err != nil {
			return fmt.Errorf("demo: %s inbox: %w", in.Kind, err)
		}
	}
	return nil
}

// The demo's made-up provider secrets: the seeding signs the providers' webhooks with them.
const (
	demoSMSToken    = "0123456789abcdef0123456789abcdef"
	demoSlackSecret = "demo-slack-signing-secret"
)

// demoHas reports whether an inbox of kind and name exists.
func demoHas(existing []inbox.Inbox, kind inbox.Channel, name string) bool {
	for _, in := range existing {
		if in.Kind == kind && in.Name == name {
			return true
		}
	}
	return false
}
