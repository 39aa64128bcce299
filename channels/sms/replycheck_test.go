package sms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/inbox"
)

func TestOptOutCheckRefusesTheReplyBeforeItIsStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	checked := inbox.New(e.pool, inbox.Options{ReplyChecker: sms.OptOutCheck{}})
	ctx := context.Background()
	e.text(t, "my order?")
	conv := e.conversation(t)
	if _, err := checked.Send(ctx, inbox.Reply{ConversationID: conv.ID, Text: "on its way"}); err != nil {
		t.Fatalf("reply before STOP: %v", err)
	}
	e.text(t, "STOP")
	before := e.count(t, "SELECT count(*) FROM messages")
	_, err := checked.Send(ctx, inbox.Reply{ConversationID: conv.ID, Text: "one more thing"})
	if !errors.Is(err, inbox.ErrConflict) || !strings.Contains(err.Error(), "START") {
		t.Fatalf("reply after STOP: %v, want a conflict telling the agent about START", err)
	}
	if after := e.count(t, "SELECT count(*) FROM messages"); after != before {
		t.Fatalf("the refused reply was stored: %d -> %d messages", before, after)
	}
	// A note is not a message to the customer; another channel is not SMS.
	if _, err := checked.Note(ctx, inbox.Reply{ConversationID: conv.ID, Author: inbox.Actor{AgentID: mustAgentID(t, e)}, Text: "they opted out"}); err != nil {
		t.Fatalf("note after STOP: %v", err)
	}
	if _, err := checked.Send(ctx, inbox.Reply{ConversationID: conv.ID, Text: "by email", Channel: inbox.ChannelEmail}); err != nil {
		t.Fatalf("email reply after STOP: %v", err)
	}
	e.text(t, "START")
	if _, err := checked.Send(ctx, inbox.Reply{ConversationID: conv.ID, Text: "welcome back"}); err != nil {
		t.Fatalf("reply after START: %v", err)
	}
}

func mustAgentID(t *testing.T, e *env) int64 {
	t.Helper()
	a, err := e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: "agent@example.com", Name: "Agent", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
