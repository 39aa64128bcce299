package chat

import (
	"log/slog"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/wstest"
)

// testSocket is a visitor socket of contactID over a real WebSocket connection whose session
// never opens, so no writer starts: nothing drains its queue but the test (take).
func testSocket(t *testing.T, srv *Server, contactID int64) *socket {
	t.Helper()
	conn, _ := wstest.Pair(t, &websocket.Upgrader{})
	c := &socket{srv: srv, conn: conn, done: make(chan struct{}), writing: true}
	c.setContact(contactID)
	return c
}

// take takes the socket's oldest queued frame; it fails the test when there is none.
func take(t *testing.T, c *socket) outItem {
	t.Helper()
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if len(c.queue) == 0 {
		t.Fatal("nothing queued")
	}
	it := c.queue[0]
	c.queue = c.queue[1:]
	return it
}

// queued is how many frames wait in the socket's queue.
func queued(c *socket) int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queue)
}

// TestHubDropsASlowSocketWithoutBlockingOthers: one tab of a customer stops taking frames; once
// its queue is full it is dropped (its widget reconnects and replays), while the customer's
// other tab receives every reply, and the feed never waits.
func TestHubDropsASlowSocketWithoutBlockingOthers(t *testing.T) {
	const queue = 4
	srv := &Server{log: slog.New(slog.DiscardHandler), sock: SocketConfig{SendQueue: queue}}
	h := newHub(srv)
	slow := testSocket(t, srv, 7)
	fast := testSocket(t, srv, 7)
	other := testSocket(t, srv, 8)
	for _, c := range []*socket{slow, fast, other} {
		if !h.add(c) {
			t.Fatal("the hub refused a socket")
		}
	}
	reply := func(id int64) inbox.Event {
		return inbox.Event{Type: inbox.EventMessageCreated, ContactID: 7, ConversationID: 70, MessageID: id,
			Channel: inbox.ChannelChat, Direction: inbox.DirectionOutbound}
	}
	var got []int64
	for id := int64(1); id <= queue; id++ {
		h.dispatch(reply(id))
		got = append(got, take(t, fast).msgID)
	}
	select {
	case <-slow.done:
		t.Fatal("the slow socket was dropped before its queue was full")
	default:
	}
	if h.count() != 3 {
		t.Fatalf("sockets = %d, want 3", h.count())
	}

	// One more reply overflows the slow tab: it is closed and forgotten; the other tab gets it.
	h.dispatch(reply(queue + 1))
	got = append(got, take(t, fast).msgID)
	select {
	case <-slow.done:
	default:
		t.Fatal("the slow socket was not dropped")
	}
	if h.count() != 2 {
		t.Fatalf("sockets = %d after the drop, want 2", h.count())
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("the fast tab got messages %v, want 1..%d in order", got, queue+1)
		}
	}
	if n := queued(other); n != 0 {
		t.Fatalf("another customer's socket got %d frames", n)
	}
	// Later replies go to the remaining tab only, without touching the dropped one.
	h.dispatch(reply(queue + 2))
	if it := take(t, fast); it.msgID != queue+2 {
		t.Fatalf("after the drop the fast tab got %d", it.msgID)
	}
}
