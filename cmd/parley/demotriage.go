package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// demoChat is a visitor's chat: what they asked and, for the rated ones, the answer, the score
// and the comment they gave.
type demoChat struct {
	name, question, answer, category string
	score                            int
	comment                          string
}

// demoChatList are the demo's chats: one waiting, three answered, resolved and rated.
var demoChatList = []demoChat{
	{name: "Dana", question: "Do you ship to Norway?"},
	{name: "Chris", question: "Can I change the delivery address of order 1187?", answer: "Done: it now goes to your office address.",
		category: "shipping", score: 5, comment: "Super quick, thank you!"},
	{name: "Alex", question: "Why was I charged twice this month?", answer: "The second charge was a pre-authorisation; it is released within 3 days.",
		category: "billing", score: 4, comment: "Clear answer, though it took a while to get one."},
	{name: "Jamie", question: "The app crashes when I open my orders.", answer: "Please update to version 4.2, which fixes that crash.",
		category: "product", score: 2, comment: "I had to explain the problem twice."},
}

// demoChats stores the demo's chats as the widget's socket does (the visitor's identity and
// visitor id), and has Riley answer and resolve the rated ones; their surveys go out at once
// and are answered through the survey form's path, with the comments.
func demoChats(ctx context.Context, a *app, sc showcase) error {
	in, err := demoInbox(ctx, a, inbox.ChannelChat, demoChatName)
	if err != nil {
		return err
	}
	surveys := workflow.NewSurveys(a.store)
	riley := inbox.Actor{AgentID: sc.agent.ID}
	for _, c := range demoChatList {
		visitor := chat.NewVisitorID()
		res, err := a.store.Ingest(ctx, inbox.Inbound{InboxID: in.ID, Channel: inbox.ChannelChat, ExternalID: visitor + ":demo",
			From: inbox.Identity{Kind: inbox.IdentityChat, Address: visitor, Verified: true}, Name: c.name, Text: c.question,
			Metadata: map[string]any{"visitor_id": visitor}})
		if err != nil {
			return fmt.Errorf("demo: chat: %w", err)
		}
		if c.answer == "" {
			continue
		}
		id := res.ConversationID
		if _, err := a.store.Assign(ctx, id, sc.agent.ID, inbox.Actor{}); err != nil {
			return fmt.Errorf("demo: chat: %w", err)
		}
		category, err := demoCategory(ctx, a, c.category)
		if err != nil {
			return err
		}
		if _, err := a.store.SetCategory(ctx, id, category, riley); err != nil {
			return fmt.Errorf("demo: chat: %w", err)
		}
		if _, err := a.store.Send(ctx, inbox.Reply{ConversationID: id, Author: riley, Text: c.answer, SetStatus: inbox.StatusResolved}); err != nil {
			return fmt.Errorf("demo: chat reply: %w", err)
		}
		token, err := surveys.SendNow(ctx, id, a.cfg.PublicURL)
		if err != nil {
			return err
		}
		if token == "" {
			continue // surveys are off
		}
		if _, err := surveys.AnswerToken(ctx, token, c.score, c.comment); err != nil {
			return fmt.Errorf("demo: survey answer: %w", err)
		}
	}
	return nil
}

// demoTriage files the channel conversations under categories, marks the complaint, and gives
// the SLA examples to Riley.
func demoTriage(ctx context.Context, a *app, sc showcase) error {
	type step struct {
		kind     inbox.IdentityKind
		address  string
		category string
		priority inbox.Priority
		assign   bool
	}
	if a.cfg.SecretKey == "" {
		return nil
	}
	steps := []step{
		{inbox.IdentityEmail, "maria@example.com", "shipping", "", false},
		{inbox.IdentityEmail, "tom.becker@example.net", "complaint", inbox.PriorityHigh, true},
		{inbox.IdentityPhone, "+15550100200", "billing", "", true},
		{inbox.IdentitySlack, slacktest.DefaultIdentity().TeamID + ":U0DEMOPRIYA", "account", inbox.PriorityHigh, true},
	}
	for _, s := range steps {
		c, err := a.store.ContactByIdentity(ctx, s.kind, s.address)
		if err != nil {
			return fmt.Errorf("demo: triage %s: %w", s.address, err)
		}
		page, err := a.store.ListConversations(ctx, inbox.ConversationQuery{ContactID: c.ID, Limit: 1})
		if err != nil || len(page.Conversations) == 0 {
			return fmt.Errorf("demo: triage %s: no conversation (%v)", s.address, err)
		}
		id := page.Conversations[0].ID
		category, err := demoCategory(ctx, a, s.category)
		if err != nil {
			return err
		}
		if _, err := a.store.SetCategory(ctx, id, category, inbox.Actor{}); err != nil {
			return fmt.Errorf("demo: triage: %w", err)
		}
		if s.priority != "" {
			if _, err := a.store.SetPriority(ctx, id, s.priority, inbox.Actor{}); err != nil {
				return fmt.Errorf("demo: triage: %w", err)
			}
		}
		if s.assign {
			if _, err := a.store.Assign(ctx, id, sc.agent.ID, inbox.Actor{}); err != nil {
				return fmt.Errorf("demo: triage: %w", err)
			}
		}
	}
	return nil
}

// demoCategoryPaths are the demo's names for the categories it files conversations under, and the
// path of each in the admin-managed list (made when missing; "Complaint" ships as a complaint).
var demoCategoryPaths = map[string]string{
	"shipping": "Delivery › Late", "billing": "Billing", "product": "Product › Defect",
	"account": "Account", "complaint": "Complaint",
}

// demoCategory returns the id of the demo category named name, adding it (and its parent) to
// the list when missing.
func demoCategory(ctx context.Context, a *app, name string) (int64, error) {
	path, ok := demoCategoryPaths[name]
	if !ok {
		return 0, fmt.Errorf("demo: no category %q", name)
	}
	if c, err := a.store.CategoryByPath(ctx, "category", path); err == nil {
		return c.ID, nil
	}
	var c inbox.Category
	err := a.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = a.store.EnsureCategoryPathTx(ctx, tx, path, name == "complaint")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("demo: category %s: %w", path, err)
	}
	return c.ID, nil
}
