package chat_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/web"
)

func TestSendAndReceive(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")
	deliveries := events(t, n, inbox.EventMessageDelivery)

	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{Name: "Vera Visitor"})
	if w.Token == "" || w.VisitorID == "" || w.Conversation != nil {
		t.Fatalf("welcome of a new visitor = %+v", w)
	}
	ack := v.say("c1", "Where is my order?")
	msg, err := e.store.GetMessage(context.Background(), ack.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *msg.ExternalID != w.VisitorID+":c1" || msg.Channel != inbox.ChannelChat || msg.Text != "Where is my order?" {
		t.Fatalf("stored %+v", msg)
	}
	contact, err := e.store.GetContact(context.Background(), *msg.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if contact.Name != "Vera Visitor" || len(contact.Identities) != 1 || contact.Identities[0].Kind != inbox.IdentityChat ||
		contact.Identities[0].Address != w.VisitorID || !contact.Identities[0].Verified {
		t.Fatalf("contact %+v", contact)
	}

	sent := e.reply(t, msg.ConversationID, agent, "It ships today.")
	if f := v.expect("status"); f.Status != "open" {
		t.Fatalf("first reply: status frame %+v, want open", f)
	}
	got := v.expect("message")
	if got.ID != sent.ID || got.Direction != "outbound" || got.Text != "It ships today." || got.AuthorName != "Ada Agent" || got.ClientID != "" {
		t.Fatalf("reply frame %+v", got)
	}
	// The process that pushed the reply marks it delivered.
	await(t, deliveries, func(ev inbox.Event) bool { return ev.MessageID == sent.ID && ev.Delivery == inbox.DeliveryDelivered })

	// A note is never shown; the next reply is.
	if _, err := e.store.Note(context.Background(), inbox.Reply{ConversationID: msg.ConversationID, Author: inbox.Actor{AgentID: agent.ID}, Text: "VIP"}); err != nil {
		t.Fatal(err)
	}
	next := e.reply(t, msg.ConversationID, agent, "Anything else?")
	if got := v.expect("message"); got.ID != next.ID {
		t.Fatalf("after a note got %+v, want the reply %d", got, next.ID)
	}
}

func TestReconnectResumesWithoutGapOrDuplicate(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")

	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{})
	first := v.say("c1", "Hello?")
	if err := v.conn.Close(); err != nil {
		t.Fatal(err)
	}
	conv := mustMessage(t, e, first.ID).ConversationID
	r1 := e.reply(t, conv, agent, "Hi! Looking into it.")
	r2 := e.reply(t, conv, agent, "Found it.")

	// The widget reconnects with its token and last message id, and resends what it had
	// not seen acknowledged (as if the first ack had been lost).
	v2 := dial(t, n, in.ID)
	w2 := v2.hello(chat.Hello{Token: w.Token, LastID: first.ID})
	if w2.VisitorID != w.VisitorID || w2.Token != w.Token || w2.Conversation == nil || w2.Conversation.ID != conv {
		t.Fatalf("resumed welcome %+v, first %+v", w2, w)
	}
	for _, want := range []inbox.Message{r1, r2} {
		if got := v2.message(); got.ID != want.ID || got.Text != want.Text {
			t.Fatalf("replayed %+v, want message %d %q", got, want.ID, want.Text)
		}
	}
	again := v2.say("c1", "Hello?")
	if again.ID != first.ID {
		t.Fatalf("resent client_id acknowledged as message %d, first stored as %d", again.ID, first.ID)
	}
	var stored int
	if err := e.store.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM messages WHERE channel = 'chat' AND direction = 'inbound'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 1 {
		t.Fatalf("%d inbound messages stored, want 1", stored)
	}

	// A new device of the same visitor (last_id 0) gets the whole conversation, its own
	// message with its client_id.
	v3 := dial(t, n, in.ID)
	v3.hello(chat.Hello{Token: w.Token})
	want := []struct {
		id       int64
		clientID string
	}{{first.ID, "c1"}, {r1.ID, ""}, {r2.ID, ""}}
	for _, m := range want {
		if got := v3.message(); got.ID != m.id || got.ClientID != m.clientID {
			t.Fatalf("full replay got %+v, want id %d client_id %q", got, m.id, m.clientID)
		}
	}
}

func TestInvalidTokenMakesNewVisitor(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	other := e.chatInbox(t, chat.Settings{Origins: []string{shopOrigin, "https://other.example.com"}})

	v := dial(t, n, other.ID)
	w := v.hello(chat.Hello{})
	v.say("c1", "hi")
	// A token of another inbox is not valid here: a new visitor, who sees nothing of the first.
	v2 := dial(t, n, in.ID)
	w2 := v2.hello(chat.Hello{Token: w.Token, LastID: 0})
	if w2.VisitorID == w.VisitorID || w2.Token == w.Token || w2.Conversation != nil {
		t.Fatalf("welcome for a foreign token %+v", w2)
	}
	ack := v2.say("c1", "hello")
	if ack.ID == 0 {
		t.Fatal("no id")
	}
}

func TestTypingAndStatus(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")
	typing := presenceEvents(t, e)

	v := dial(t, n, in.ID)
	v.hello(chat.Hello{Name: "Dana"})
	ack := v.say("c1", "hi")
	m := mustMessage(t, e, ack.ID)

	// The visitor's typing is presence, as the web inbox's relay carries it to agents.
	for _, p := range []struct {
		on  bool
		typ string
	}{{true, web.EventPresenceTyping}, {false, web.EventPresenceLeft}} {
		v.write(map[string]any{"type": "typing", "on": p.on})
		ev := await(t, typing, func(inbox.Event) bool { return true })
		if ev.Type != p.typ || ev.ConversationID != m.ConversationID || ev.AgentID != 0 || ev.Data["name"] != "Dana" ||
			ev.ContactID != *m.ContactID {
			t.Fatalf("visitor typing %v: presence event %+v", p.on, ev)
		}
	}

	// The web inbox announces an agent typing; the visitor sees it.
	publish(t, e, inbox.Event{Type: chat.EventAgentTyping, ContactID: *m.ContactID, ConversationID: m.ConversationID,
		Data: map[string]any{"on": true, "agent_name": "Ada Agent"}})
	if f := v.expect("typing"); !f.On || f.AgentName != "Ada Agent" {
		t.Fatalf("typing frame %+v", f)
	}
	// An agent typing in the web inbox: its presence relay's events reach the visitor.
	for _, p := range []struct {
		typ string
		on  bool
	}{{web.EventPresenceTyping, true}, {web.EventPresenceLeft, false}} {
		payload, err := json.Marshal(inbox.Event{Type: p.typ, ConversationID: m.ConversationID, AgentID: agent.ID,
			Data: map[string]any{"name": "Ada Agent"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Pool().Exec(context.Background(), "SELECT pg_notify($1, $2)", web.PresenceChannel, string(payload)); err != nil {
			t.Fatal(err)
		}
		if f := v.expect("typing"); f.On != p.on || f.AgentName != "Ada Agent" {
			t.Fatalf("after %s: typing frame %+v", p.typ, f)
		}
	}
	if _, err := e.store.SetStatus(context.Background(), m.ConversationID, inbox.StatusResolved, inbox.Actor{AgentID: agent.ID}); err != nil {
		t.Fatal(err)
	}
	if f := v.expect("status"); f.Status != "resolved" {
		t.Fatalf("status frame %+v", f)
	}
}

func mustMessage(t *testing.T, e *env, id int64) inbox.Message {
	t.Helper()
	m, err := e.store.GetMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// publish announces ephemeral events on the inbox's channel, as a process other than the
// chat would.
func publish(t *testing.T, e *env, events ...inbox.Event) {
	t.Helper()
	payload, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(context.Background(), "SELECT pg_notify($1, $2)", inbox.NotifyChannel, string(payload)); err != nil {
		t.Fatal(err)
	}
}

// presenceEvents listens on the web inbox's presence channel.
func presenceEvents(t *testing.T, e *env) <-chan inbox.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+web.PresenceChannel); err != nil {
		t.Fatal(err)
	}
	ch := make(chan inbox.Event, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				return
			}
			var ev inbox.Event
			if json.Unmarshal([]byte(n.Payload), &ev) == nil {
				ch <- ev
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; conn.Close(context.Background()) })
	return ch
}
