package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// Socket tuning. Buffers are small and pooled: an idle agent socket costs a few kilobytes.
const (
	sendQueue    = 64               // events buffered per socket; a socket that falls further behind is dropped
	writeWait    = 10 * time.Second // deadline of one write
	pongWait     = 60 * time.Second // a socket silent for this long is dead
	pingInterval = 25 * time.Second
	readLimit    = 4 << 10
)

// hub fans the process's events out to the agent sockets it holds. publish never blocks: each
// socket has a bounded queue and its own write pump, and a socket whose queue is full is
// closed (its tab reconnects and catches up) rather than slowing the others.
type hub struct {
	store   *inbox.Store
	log     *slog.Logger
	metrics *metrics

	mu      sync.RWMutex
	clients map[*client]struct{}
}

// client is one agent socket.
type client struct {
	agent inbox.Agent
	// viewer is what the agent may see (inbox.Viewer), as of the socket's opening.
	viewer inbox.Viewer
	conn   *websocket.Conn
	send   chan []byte
	once   sync.Once
	done   chan struct{}
	// presence is what the socket last said about itself; only its read loop touches it.
	presence presenceState
}

func newHub(store *inbox.Store, log *slog.Logger, m *metrics) *hub {
	return &hub{store: store, log: log, metrics: m, clients: map[*client]struct{}{}}
}

func (h *hub) add(c *client) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	h.metrics.sockets.Inc()
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	_, ok := h.clients[c]
	delete(h.clients, c)
	h.mu.Unlock()
	if ok {
		h.metrics.sockets.Dec()
	}
	c.close()
}

// publish queues e for every socket allowed to see it.
func (h *hub) publish(e inbox.Event) {
	msg, err := encodeEvent(e)
	if err != nil {
		h.log.Error("encode event", "err", err)
		return
	}
	var slow []*client
	h.mu.RLock()
	for c := range h.clients {
		if !c.sees(e) {
			continue
		}
		select {
		case c.send <- msg:
		default:
			slow = append(slow, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range slow {
		h.metrics.dropped.Inc()
		h.log.Warn("dropping slow event socket", "agent", c.agent.ID)
		h.remove(c)
	}
}

// closeAll closes every socket with 1001 "going away", which the inbox page reconnects from at
// once (to another process). The close frames go out in parallel, each bounded by writeWait,
// or by ctx when it ends first.
func (h *hub) closeAll(ctx context.Context) {
	h.mu.RLock()
	all := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		all = append(all, c)
	}
	h.mu.RUnlock()
	deadline := time.Now().Add(writeWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "going away")
	var wg sync.WaitGroup
	for _, c := range all {
		wg.Go(func() {
			_ = c.conn.WriteControl(websocket.CloseMessage, msg, deadline)
			h.remove(c)
		})
	}
	wg.Wait()
}

// sees reports whether the agent may see an event: one about a conversation goes to those who
// may see the conversation (inbox.Viewer), so a conversation not yet routed reaches only
// supervisors, admins and the default queue's agents. A conversation leaving an agent's sight
// (moved to another team, or reassigned) still tells those who saw it, so their list drops it.
// A notification goes to its agent only, whatever they may see.
func (c *client) sees(e inbox.Event) bool {
	if e.Type == inbox.EventNotificationCreated {
		return e.AgentID == c.agent.ID // a notification is its agent's alone
	}
	if e.ConversationID == 0 || c.viewer.Sees(e.TeamID, e.AssigneeID) {
		return true
	}
	switch e.Type {
	case inbox.EventConversationTeam:
		return c.viewer.Sees(e.DataID("from"), e.AssigneeID)
	case inbox.EventConversationAssigned:
		return c.viewer.Sees(e.TeamID, e.DataID("from"))
	}
	return false
}

func (c *client) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.conn.Close()
	})
}

// writePump is the only writer of the socket: queued events and pings.
func (c *client) writePump(ctx context.Context) {
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case msg := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

// readPump reads until the socket closes, handing each frame the agent sends to onFrame; pongs
// keep the socket alive.
func (c *client) readPump(onFrame func([]byte)) {
	c.conn.SetReadLimit(readLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		onFrame(msg)
	}
}
