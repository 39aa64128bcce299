package web

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/wstest"
)

// socketPair returns the server side of a real WebSocket connection and its client side.
func socketPair(t *testing.T) (*websocket.Conn, *websocket.Conn) {
	t.Helper()
	return wstest.Pair(t, newUpgrader())
}

// testClient is a hub's client on the server side of a real socket.
func testClient(t *testing.T, srv *websocket.Conn, v inbox.Viewer) *client {
	t.Helper()
	c := &client{agent: inbox.Agent{ID: v.AgentID, Role: inbox.RoleAdmin}, viewer: v, conn: srv}
	t.Cleanup(c.close)
	return c
}

// readEvents reads frames from a client socket until it has n events, decoding a frame as an
// event or an array of events, as live.js does; it fails on a stall or a closed socket.
func readEvents(t *testing.T, conn *websocket.Conn, n int) (events []inbox.Event, frames int) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(events) < n {
		_, raw, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(events), n, err)
		}
		frames++
		got, err := wstest.DecodeEvents(raw)
		if err != nil || (raw[0] == '[' && len(got) < 2) {
			t.Fatalf("frame %s: %d events, %v", raw, len(got), err)
		}
		events = append(events, got...)
	}
	return events, frames
}

func TestHubDropsASlowSocketWithoutBlockingOthers(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	h.wait = 0 // the test delivers by hand

	// The slow socket's writer is busy for good, so its queue fills up.
	slowSrv, _ := socketPair(t)
	slow := testClient(t, slowSrv, inbox.Everyone())
	slow.writing = true
	h.add(slow)

	fastSrv, fastClient := socketPair(t)
	fast := testClient(t, fastSrv, inbox.Everyone())
	h.add(fast)

	// Fill the slow socket's queue exactly, a frame at a time; the fast one keeps up.
	for i := range sendQueue {
		h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: int64(i + 1)})
		h.flush()
	}
	readEvents(t, fastClient, sendQueue)
	if slow.closed.Load() {
		t.Fatal("the slow socket was dropped before its queue was full")
	}
	// One more frame overflows the slow socket: it is dropped, the fast one still gets it.
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 999})
	h.flush()
	if got, _ := readEvents(t, fastClient, 1); got[0].ConversationID != 999 {
		t.Fatalf("the fast socket got %+v", got[0])
	}
	if !slow.closed.Load() {
		t.Fatal("the slow socket was not dropped")
	}
	h.mu.RLock()
	_, stillThere := h.clients[slow]
	_, fastThere := h.clients[fast]
	h.mu.RUnlock()
	if stillThere || !fastThere {
		t.Fatalf("registered: slow %v, fast %v", stillThere, fastThere)
	}
}

// TestHubGathersEventsIntoOneFrameInOrder: the events published within the gathering interval
// reach a socket as one frame, an array in publishing order, holding only what its agent may
// see; a lone event is a frame of its own, as before batching; a socket that sees none of a
// batch gets no frame.
func TestHubGathersEventsIntoOneFrameInOrder(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	h.wait = 0
	supSrv, supClient := socketPair(t)
	h.add(testClient(t, supSrv, inbox.Everyone()))
	agSrv, agClient := socketPair(t)
	h.add(testClient(t, agSrv, inbox.Viewer{AgentID: 7, TeamIDs: []int64{3}}))

	for i := range 10 {
		h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: int64(i + 1), TeamID: int64(3 + i%2)})
	}
	h.flush()
	got, frames := readEvents(t, supClient, 10)
	if frames != 1 {
		t.Fatalf("the supervisor got %d frames for one batch", frames)
	}
	for i, e := range got {
		if e.ConversationID != int64(i+1) {
			t.Fatalf("event %d is conversation %d: out of order", i, e.ConversationID)
		}
	}
	mine, frames := readEvents(t, agClient, 5)
	if frames != 1 {
		t.Fatalf("the agent got %d frames for one batch", frames)
	}
	for i, e := range mine {
		if e.TeamID != 3 || e.ConversationID != int64(2*i+1) {
			t.Fatalf("the agent of team 3 got %+v as its event %d", e, i)
		}
	}

	// Team 4 only: the agent gets nothing; then one event of team 3: a frame of one object.
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 50, TeamID: 4})
	h.flush()
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 51, TeamID: 3})
	h.flush()
	_ = agClient.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, raw, err := agClient.ReadMessage()
	if err != nil || raw[0] != '{' || !strings.Contains(string(raw), `"conversation_id":51`) {
		t.Fatalf("the agent's next frame: %s, %v", raw, err)
	}
	if got, _ := readEvents(t, supClient, 2); got[0].ConversationID != 50 || got[1].ConversationID != 51 {
		t.Fatalf("the supervisor got %+v", got)
	}
}

// TestHubDeliversEveryEventInOrderWhilePublishing: events published steadily from the feed's
// goroutine, with the real gathering timer, all reach every socket once and in order, however
// the deliveries cut them into frames.
func TestHubDeliversEveryEventInOrderWhilePublishing(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	const sockets, events = 5, 2000
	var clients []*websocket.Conn
	for range sockets {
		srv, cl := socketPair(t)
		h.add(testClient(t, srv, inbox.Everyone()))
		clients = append(clients, cl)
	}
	go func() {
		for i := range events {
			h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: int64(i + 1)})
			if i%100 == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}()
	for k, cl := range clients {
		got, frames := readEvents(t, cl, events)
		for i, e := range got {
			if e.ConversationID != int64(i+1) {
				t.Fatalf("socket %d: event %d is conversation %d", k, i, e.ConversationID)
			}
		}
		if frames >= events {
			t.Errorf("socket %d: %d frames for %d events: nothing was gathered", k, frames, events)
		}
	}
}

func TestClientSees(t *testing.T) {
	agent := &client{agent: inbox.Agent{ID: 7, Role: inbox.RoleAgent}, viewer: inbox.Viewer{AgentID: 7, TeamIDs: []int64{3}}}
	queue := &client{agent: inbox.Agent{ID: 9, Role: inbox.RoleAgent}, viewer: inbox.Viewer{AgentID: 9, TeamIDs: []int64{5}, DefaultQueue: true}}
	sup := &client{agent: inbox.Agent{ID: 8, Role: inbox.RoleSupervisor}, viewer: inbox.Viewer{AgentID: 8, All: true}}
	from := func(id int64) map[string]any { return map[string]any{"from": float64(id)} }
	tests := []struct {
		name            string
		ev              inbox.Event
		agent, queue, s bool
	}{
		{"no team yet: the default queue and supervisors", inbox.Event{Type: inbox.EventConversationCreated, ConversationID: 1}, false, true, true},
		{"the agent's team", inbox.Event{ConversationID: 1, TeamID: 3}, true, false, true},
		{"another team", inbox.Event{ConversationID: 1, TeamID: 4}, false, false, true},
		{"assigned to the agent", inbox.Event{ConversationID: 1, TeamID: 4, AssigneeID: 7}, true, false, true},
		{"routed from no team to team 3: the queue sees it go", inbox.Event{Type: inbox.EventConversationTeam, ConversationID: 1, TeamID: 3, Data: from(0)}, true, true, true},
		{"moved from team 3 to team 4: the agent sees it go", inbox.Event{Type: inbox.EventConversationTeam, ConversationID: 1, TeamID: 4, Data: from(3)}, true, false, true},
		{"unassigned from the agent in team 4", inbox.Event{Type: inbox.EventConversationAssigned, ConversationID: 1, TeamID: 4, Data: from(7)}, true, false, true},
		{"a message in team 4", inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 1, TeamID: 4, Data: from(3)}, false, false, true},
		{"not about a conversation", inbox.Event{Type: inbox.EventContactMerged}, true, true, true},
	}
	for _, tt := range tests {
		if got := agent.sees(tt.ev); got != tt.agent {
			t.Errorf("%s: agent of team 3 sees = %v", tt.name, got)
		}
		if got := queue.sees(tt.ev); got != tt.queue {
			t.Errorf("%s: agent of the default queue sees = %v", tt.name, got)
		}
		if got := sup.sees(tt.ev); got != tt.s {
			t.Errorf("%s: supervisor sees = %v", tt.name, got)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
