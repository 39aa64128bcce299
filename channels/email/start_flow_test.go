package email_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestStartedMailThreadsTheAnswer: an agent writes first to an address nobody holds; the
// delivery sends it through the sink to that address with our Message-ID, and the customer's
// answer (In-Reply-To that id) joins the started conversation and wakes it.
func TestStartedMailThreadsTheAnswer(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	sup, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "sup@acme.example", Name: "Sue", Role: inbox.RoleSupervisor,
		Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.store.ViewerOf(ctx, sup)
	if err != nil {
		t.Fatal(err)
	}
	started, err := e.store.As(v).StartConversation(ctx, inbox.NewConversation{To: "Dana <dana@customer.example>",
		Channel: inbox.ChannelEmail, InboxID: e.inbox.ID, Subject: "Order 88 is ready", Text: "Hello Dana,\nyour order is ready."},
		inbox.Actor{AgentID: sup.ID})
	if err != nil {
		t.Fatal(err)
	}
	conv := started.Conversation
	msgs, err := e.store.Messages(ctx, conv.ID, 0, 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %v, %v", msgs, err)
	}
	if err := e.deliver(msgs[0].ID, 1); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	sent := e.smtp.Messages()
	if len(sent) != 1 || len(sent[0].To) != 1 || sent[0].To[0] != "dana@customer.example" {
		t.Fatalf("sink received %+v, want one mail to dana", sent)
	}
	out := sent[0]
	if got, want := header(out.Data, "Subject"), "Order 88 is ready [#"+strconv.FormatInt(conv.ID, 10)+"]"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if got := header(out.Data, "In-Reply-To"); got != "" {
		t.Errorf("In-Reply-To = %q: the opening mail answers nothing", got)
	}
	ourID := strings.Trim(header(out.Data, "Message-Id"), "<>")
	stored, err := e.store.GetMessage(ctx, msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.EmailMessageID == nil || *stored.EmailMessageID != ourID || stored.DeliveryStatus != inbox.DeliverySent {
		t.Fatalf("stored %v %q, want the Message-ID %q and sent", stored.EmailMessageID, stored.DeliveryStatus, ourID)
	}

	e.imap.Append(t, customerMail("dana-1@customer.example", "dana@customer.example", "Re: "+header(out.Data, "Subject"),
		"Great, I will pick it up.", "In-Reply-To: <"+ourID+">", "References: <"+ourID+">"))
	e.poll()
	answer := e.messageByEmailID("dana-1@customer.example")
	if answer.ConversationID != conv.ID || answer.ThreadedBy != inbox.ThreadedByReference {
		t.Errorf("answer went to conversation %d by %q, want %d by references", answer.ConversationID, answer.ThreadedBy, conv.ID)
	}
	after, err := e.store.GetConversation(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != inbox.StatusOpen || after.ContactID != conv.ContactID {
		t.Errorf("after the answer %+v, want the same contact's conversation, open", after)
	}
	if n := e.count(`SELECT count(*) FROM contacts`); n != 1 {
		t.Errorf("%d contacts, want the one the agent wrote to", n)
	}
}
