package workflow

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestNoSurveyForAnUnansweredStartedConversation: a conversation an agent started and resolved
// without an answer asks nobody how it went; once the customer answered, its next resolution
// does.
func TestNoSurveyForAnUnansweredStartedConversation(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	sue := env.agent("sue", inbox.RoleSupervisor)
	mail, err := env.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.store.ViewerOf(ctx, sue)
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.store.As(v).StartConversation(ctx, inbox.NewConversation{To: "omar@example.net", Channel: inbox.ChannelEmail,
		InboxID: mail.ID, Subject: "Your visit", Text: "When may we come by?"}, inbox.Actor{AgentID: sue.ID})
	if err != nil {
		t.Fatal(err)
	}
	conv := st.Conversation.ID
	env.resolveBy(conv, sue)
	if n := env.count(`SELECT count(*) FROM surveys WHERE conversation_id = $1`, conv); n != 0 {
		t.Fatalf("%d surveys of a conversation the customer never wrote in, want none", n)
	}
	env.advance(time.Hour) // the next resolution is another instant (one survey job per resolution)
	res, err := env.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelEmail, InboxID: mail.ID, ExternalID: "<omar-1@example.net>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "omar@example.net"}, Subject: "Re: Your visit", Text: "Tuesday works."})
	if err != nil || res.ConversationID != conv {
		t.Fatalf("the answer: %+v, %v; want it in conversation %d", res, err, conv)
	}
	env.resolveBy(conv, sue)
	if n := env.count(`SELECT count(*) FROM surveys WHERE conversation_id = $1`, conv); n != 1 {
		t.Fatalf("%d surveys after the customer answered, want 1", n)
	}
}
