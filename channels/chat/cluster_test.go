package chat_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// Two parley processes on one database: an agent's reply committed through one reaches the
// visitor whose socket the other holds, through PostgreSQL's NOTIFY alone.
func TestReplyReachesVisitorOnAnotherProcess(t *testing.T) {
	t.Parallel()
	e := setup(t)
	agentSide := e.node(t, chat.Config{Store: e.store})
	visitorSide := e.node(t, chat.Config{})
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")
	deliveries := events(t, agentSide, inbox.EventMessageDelivery)

	v := dial(t, visitorSide, in.ID)
	v.hello(chat.Hello{})
	ack := v.say("c1", "Is anyone there?")
	conv := mustMessage(t, e, ack.ID).ConversationID

	sent := e.reply(t, conv, agent, "Yes, hello!") // through the agent side's store
	if got := v.message(); got.ID != sent.ID || got.Text != "Yes, hello!" {
		t.Fatalf("visitor got %+v, want reply %d", got, sent.ID)
	}
	// The visitor side pushed it and recorded the delivery; the agent side hears of it.
	await(t, deliveries, func(ev inbox.Event) bool { return ev.MessageID == sent.ID && ev.Delivery == inbox.DeliveryDelivered })
	if agentSide.srv.Sockets() != 0 || visitorSide.srv.Sockets() != 1 {
		t.Fatalf("sockets: agent side %d, visitor side %d", agentSide.srv.Sockets(), visitorSide.srv.Sockets())
	}
	var seen int64
	if err := e.store.Pool().QueryRow(context.Background(),
		"SELECT last_seen_message_id FROM chat_visitors").Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if seen != sent.ID {
		t.Fatalf("last seen message %d, want %d", seen, sent.ID)
	}
}

// Two tabs of one visitor: what one sends shows in the other.
func TestOtherTabSeesVisitorMessages(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})

	tab1 := dial(t, n, in.ID)
	w := tab1.hello(chat.Hello{})
	first := tab1.say("c1", "first")
	tab2 := dial(t, n, in.ID)
	tab2.hello(chat.Hello{Token: w.Token, LastID: first.ID})
	second := tab1.say("c2", "second")
	got := tab2.message()
	if got.ID == first.ID { // the first may come live as well, right after the hello
		got = tab2.message()
	}
	if got.ID != second.ID || got.ClientID != "c2" || got.Direction != "inbound" {
		t.Fatalf("other tab got %+v, want message %d", got, second.ID)
	}
}

// When a process's feed loses its connection, events committed meanwhile are missed: on
// reconnecting it drops its visitor sockets, and the widgets' replay after their last message
// brings what they missed.
func TestFeedReconnectReplaysMissedReplies(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")

	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{})
	ack := v.say("c1", "hello")
	var killed bool
	err := e.store.Pool().QueryRow(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminate the feed's connection: %v", err)
	}
	reply := e.reply(t, mustMessage(t, e, ack.ID).ConversationID, agent, "sorry for the wait")

	seen := map[int64]bool{}
	for _, f := range v.untilDropped() {
		seen[f.ID] = true
	}
	last := ack.ID
	if seen[reply.ID] {
		last = reply.ID
	}
	v2 := dial(t, n, in.ID)
	v2.hello(chat.Hello{Token: w.Token, LastID: last})
	if !seen[reply.ID] {
		if got := v2.message(); got.ID != reply.ID {
			t.Fatalf("replay after the feed's outage: %+v, want reply %d", got, reply.ID)
		}
	}
}
