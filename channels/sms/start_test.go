package sms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// starter is a store with the SMS opt-out check (as a server's) and the scope of a supervisor.
func (e *env) starter(t *testing.T) (inbox.Scope, inbox.Actor) {
	t.Helper()
	ctx := context.Background()
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	store := inbox.New(e.pool, inbox.Options{Jobs: jobs, ReplyChecker: sms.OptOutCheck{}})
	sup, err := store.CreateAgent(ctx, inbox.NewAgent{Email: "sup@example.com", Name: "Sue", Role: inbox.RoleSupervisor,
		Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := store.ViewerOf(ctx, sup)
	if err != nil {
		t.Fatal(err)
	}
	return store.As(v), inbox.Actor{AgentID: sup.ID}
}

// TestStartedSMSThreadsTheAnswer: an agent texts a number nobody holds; the delivery sends it
// through the fake Twilio to that (claimed) number, and the customer's text back joins the
// started conversation, wakes it and verifies the number on the same contact.
func TestStartedSMSThreadsTheAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sc, by := e.starter(t)
	_, err := sc.StartConversation(ctx, inbox.NewConversation{To: "07700 900123", Channel: inbox.ChannelSMS, InboxID: e.inbox.ID,
		Text: "Your table for two is booked for 8pm."}, by)
	if err == nil {
		t.Fatal("a national number of another region was taken: the test's region is US")
	}
	started, err := sc.StartConversation(ctx, inbox.NewConversation{To: customer, Channel: inbox.ChannelSMS, InboxID: e.inbox.ID,
		Text: "Your table for two is booked for 8pm."}, by)
	if err != nil {
		t.Fatal(err)
	}
	conv := started.Conversation
	msgs, err := e.store.Messages(ctx, conv.ID, 0, 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %v, %v", msgs, err)
	}
	if err := e.deliver(t, msgs[0].ID, 1); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	sent := e.twilio.Messages()
	if len(sent) != 1 || sent[0].To != customer || sent[0].From != ourNumber || sent[0].Body != "Your table for two is booked for 8pm." {
		t.Fatalf("Twilio received %+v, want the text to %s from %s", sent, customer, ourNumber)
	}
	if m := e.message(t, msgs[0].ID); m.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("opening message %s, want sent", m.DeliveryStatus)
	}

	e.text(t, "Thanks, see you then")
	answered := e.conversation(t) // the customer's only conversation
	if answered.ID != conv.ID || answered.Status != inbox.StatusOpen {
		t.Errorf("after the answer: conversation %d %s, want %d open", answered.ID, answered.Status, conv.ID)
	}
	contact, err := e.store.GetContact(ctx, conv.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if len(contact.Identities) != 1 || !contact.Identities[0].Verified {
		t.Errorf("identities %+v, want the number, verified by the answer", contact.Identities)
	}
}

// TestStartConversationToOptedOutNumber: a number that texted STOP is refused with the reason,
// whether named or a contact's, and nothing is stored; after START it may be written to.
func TestStartConversationToOptedOutNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.text(t, "STOP")
	contact, err := e.store.ContactByIdentity(ctx, inbox.IdentityPhone, customer)
	if err != nil {
		t.Fatal(err)
	}
	sc, by := e.starter(t)
	before := e.count(t, "SELECT count(*) FROM conversations")
	for _, n := range []inbox.NewConversation{
		{To: customer, Channel: inbox.ChannelSMS, InboxID: e.inbox.ID, Text: "a deal for you"},
		{ContactID: contact.ID, Channel: inbox.ChannelSMS, InboxID: e.inbox.ID, Text: "a deal for you"},
	} {
		_, err := sc.StartConversation(ctx, n, by)
		if !errors.Is(err, inbox.ErrConflict) || !strings.Contains(err.Error(), "opted out") || !strings.Contains(err.Error(), "START") {
			t.Errorf("start %+v: %v, want a conflict saying they opted out and must text START", n, err)
		}
	}
	if after := e.count(t, "SELECT count(*) FROM conversations"); after != before {
		t.Errorf("refused starts stored %d conversations", after-before)
	}
	e.text(t, "START")
	if _, err := sc.StartConversation(ctx, inbox.NewConversation{To: customer, Channel: inbox.ChannelSMS, InboxID: e.inbox.ID,
		Text: "welcome back"}, by); err != nil {
		t.Errorf("after START: %v", err)
	}
}
