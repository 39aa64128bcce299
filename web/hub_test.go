package web

import (
	"log/slog"
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

func TestHubDropsASlowSocketWithoutBlockingOthers(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	admin := inbox.Agent{ID: 1, Role: inbox.RoleAdmin}

	// The slow socket's pump never runs, so its queue fills up.
	slowSrv, _ := socketPair(t)
	slow := &client{agent: admin, conn: slowSrv, send: make(chan []byte, sendQueue), done: make(chan struct{})}
	h.add(slow)

	fastSrv, fastClient := socketPair(t)
	fast := &client{agent: admin, conn: fastSrv, send: make(chan []byte, sendQueue), done: make(chan struct{})}
	h.add(fast)
	go fast.writePump(t.Context())

	got := make(chan struct{}, 2*sendQueue)
	go func() {
		for {
			if _, _, err := fastClient.ReadMessage(); err != nil {
				close(got)
				return
			}
			got <- struct{}{}
		}
	}()
	waitFor := func(n int) {
		t.Helper()
		for range n {
			select {
			case _, ok := <-got:
				if !ok {
					t.Fatal("the fast socket was closed")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the fast socket stalled")
			}
		}
	}
	// Fill the slow socket's queue exactly; the fast one keeps up.
	for i := range sendQueue {
		h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: int64(i + 1)})
	}
	waitFor(sendQueue)
	select {
	case <-slow.done:
		t.Fatal("the slow socket was dropped before its queue was full")
	default:
	}
	// One more event overflows the slow socket: it is dropped, the fast one still gets it.
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 999})
	waitFor(1)
	select {
	case <-slow.done:
	default:
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

func TestClientSees(t *testing.T) {
	agent := &client{agent: inbox.Agent{ID: 7, Role: inbox.RoleAgent}, teams: map[int64]bool{3: true}}
	sup := &client{agent: inbox.Agent{ID: 8, Role: inbox.RoleSupervisor}}
	tests := []struct {
		ev         inbox.Event
		agent, sup bool
	}{
		{inbox.Event{ConversationID: 1}, true, true},                           // no team: everyone
		{inbox.Event{ConversationID: 1, TeamID: 3}, true, true},                // the agent's team
		{inbox.Event{ConversationID: 1, TeamID: 4}, false, true},               // another team
		{inbox.Event{ConversationID: 1, TeamID: 4, AssigneeID: 7}, true, true}, // assigned to the agent
		{inbox.Event{Type: inbox.EventContactMerged}, true, true},              // not about a conversation
	}
	for i, tt := range tests {
		if got := agent.sees(tt.ev); got != tt.agent {
			t.Errorf("%d: agent sees = %v", i, got)
		}
		if got := sup.sees(tt.ev); got != tt.sup {
			t.Errorf("%d: supervisor sees = %v", i, got)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
