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
	slow := &client{agent: admin, viewer: inbox.Everyone(), conn: slowSrv, send: make(chan []byte, sendQueue), done: make(chan struct{})}
	h.add(slow)

	fastSrv, fastClient := socketPair(t)
	fast := &client{agent: admin, viewer: inbox.Everyone(), conn: fastSrv, send: make(chan []byte, sendQueue), done: make(chan struct{})}
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
