package web

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// Socket tuning. Buffers are small and pooled: an idle agent socket costs a few kilobytes.
const (
	sendQueue = 64               // frames queued per socket; a socket that falls further behind is dropped
	writeWait = 10 * time.Second // deadline of one write
	pongWait  = 60 * time.Second // a socket silent for this long is dead
	// pingInterval is also heartbeatEvery: one timer a socket pings it and beats its agent's
	// presence (a second timer cost every socket about 200 bytes).
	pingInterval = heartbeatEvery
	readLimit    = 4 << 10
	// gatherWait is the least time between two deliveries of the hub: the events of a busy
	// spell are gathered for it, and each socket gets one frame and one write for them. An
	// event after a quiet spell waits only gatherFirst, for the rest of its notification.
	// Under load the time between deliveries grows to gatherRatio times what writing the last
	// one took, up to maxGather (see hub.window). A ratio of 3 gathered more (2,000 supervisor
	// sockets: 806 messages/s against 608 and 624 with 2) but held team sockets' events longer
	// (20 teams of 100: delivery p99 108 to 114 ms against 66 and 68 with 2).
	gatherWait  = 20 * time.Millisecond
	gatherFirst = time.Millisecond
	gatherRatio = 2
	maxGather   = 100 * time.Millisecond
)

// hub fans the process's events out to the agent sockets it holds. publish never blocks: it
// gathers events (for gatherWait after the last delivery, longer under load: see window),
// then delivers them, each socket getting the ones it may see in one frame, encoded once for
// every socket that sees the same ones. A socket has a bounded queue of frames and a writer
// goroutine only while it has frames to write; a socket whose queue is full is closed (its tab
// reconnects and catches up) rather than slowing the others.
type hub struct {
	store   *inbox.Store
	log     *slog.Logger
	metrics *metrics
	// wait is gatherWait; the tests deliver at once (0: flush is called by hand).
	wait time.Duration

	mu      sync.RWMutex
	clients map[*client]struct{}

	// pending is the events gathered for the next delivery; armed is set while a delivery is
	// scheduled. delivering serializes deliveries, so every socket gets its frames in order.
	pendMu     sync.Mutex
	pending    []outEvent
	armed      bool
	last       time.Time // when the last delivery began
	delivering sync.Mutex
	// cost is how long the last delivery whose frames were all written took (nanoseconds);
	// current is the latest delivery, possibly still being written.
	cost    atomic.Int64
	current atomic.Pointer[delivery]
	// recent[recentAt:] is the events of about the last replayWindow that deliveries handed out
	// (presence aside), oldest first, for a socket that joins late (join, since.go); it holds
	// every such event delivered after recentFrom. Only flush changes them, under mu's read
	// lock (one flush at a time); join reads them under mu's write lock.
	recent     []outEvent
	recentAt   int
	recentFrom time.Time
}

// outEvent is an event and its JSON, encoded once for every socket, and when the hub was handed
// it.
type outEvent struct {
	e    inbox.Event
	json []byte
	at   time.Time
}

// client is one agent socket.
type client struct {
	agent inbox.Agent
	// viewer is what the agent may see (inbox.Viewer), as of the socket's opening.
	viewer inbox.Viewer
	conn   *websocket.Conn
	once   sync.Once
	// closed is set once the socket closes (an atomic flag, not a channel: nothing waits on it,
	// and every socket would hold the channel).
	closed atomic.Bool
	// presence is what the socket last said about itself; only its read loop touches it.
	presence presenceState

	// mu guards the frames waiting to be written; writing is set while a writer runs (or, in
	// tests, to hold frames back).
	mu      sync.Mutex
	queue   []queued
	writing bool
	// timer pings the socket and beats the agent's presence; stopped when it closes.
	timer *time.Timer
}

func newHub(store *inbox.Store, log *slog.Logger, m *metrics) *hub {
	return &hub{store: store, log: log, metrics: m, wait: gatherWait, clients: map[*client]struct{}{}, recentFrom: time.Now()}
}

// add adds c to the hub, to get what is delivered from now on (join, with nothing missed).
func (h *hub) add(c *client) { h.join(c, time.Time{}) }

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

// holds reports whether the hub holds a socket of the agent.
func (h *hub) holds(agentID int64) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.clients {
		if c.agent.ID == agentID {
			return true
		}
	}
	return false
}

// publish gathers e for the next delivery, which it schedules if none is.
func (h *hub) publish(e inbox.Event) {
	msg, err := encodeEvent(e)
	if err != nil {
		h.log.Error("encode event", "err", err)
		return
	}
	h.pendMu.Lock()
	h.pending = append(h.pending, outEvent{e: e, json: msg, at: time.Now()})
	arm := !h.armed && h.wait > 0
	h.armed = h.armed || arm
	delay := max(gatherFirst, h.window()-time.Since(h.last))
	h.pendMu.Unlock()
	if arm {
		time.AfterFunc(delay, h.flushDue)
	}
}

// flushDue is the scheduled delivery: it flushes, unless the last delivery turned out to take
// long enough (window) that the next one is not yet due; then it waits until it is.
func (h *hub) flushDue() {
	h.pendMu.Lock()
	early := h.window() - time.Since(h.last)
	h.pendMu.Unlock()
	if early > 0 {
		time.AfterFunc(early, h.flushDue)
		return
	}
	h.flush()
}

// flush delivers the gathered events: each socket is queued one frame of those it may see, in
// the order they were published. Sockets that see the same events share the frame.
func (h *hub) flush() {
	h.delivering.Lock()
	defer h.delivering.Unlock()
	h.pendMu.Lock()
	batch := h.pending
	h.pending, h.armed, h.last = nil, false, time.Now()
	h.pendMu.Unlock()
	if len(batch) == 0 {
		return
	}
	d := h.startDelivery()
	queued := 0
	defer func() { d.queuedAll(queued) }()
	frames := map[string]*websocket.PreparedMessage{}
	seen := make([]byte, len(batch)) // which events of the batch a socket sees, as a map key
	var slow []*client
	h.mu.RLock()
	h.remember(batch)
	for c := range h.clients {
		some := false
		for i, oe := range batch {
			seen[i] = 0
			if c.sees(oe.e) {
				seen[i], some = 1, true
			}
		}
		if !some {
			continue
		}
		pm, ok := frames[string(seen)]
		if !ok {
			pm = h.frame(batch, seen)
			frames[string(seen)] = pm
		}
		if pm == nil {
			continue
		}
		if !c.push(pm, d) {
			slow = append(slow, c)
			continue
		}
		queued++
	}
	h.mu.RUnlock()
	for _, c := range slow {
		h.metrics.dropped.Inc()
		h.log.Warn("dropping slow event socket", "agent", c.agent.ID)
		h.remove(c)
	}
}

// frame is the frame of the events of batch marked in seen: the event itself when there is one
// (as before batching), otherwise a JSON array of them in order.
func (h *hub) frame(batch []outEvent, seen []byte) *websocket.PreparedMessage {
	var out []byte
	n := 0
	for i, oe := range batch {
		if seen[i] == 0 {
			continue
		}
		if n == 0 {
			out = append(out, '[')
		} else {
			out = append(out, ',')
		}
		out = append(out, oe.json...)
		n++
	}
	if n == 1 {
		out = out[1:]
	} else {
		out = append(out, ']')
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, out)
	if err != nil {
		h.log.Error("prepare event frame", "err", err)
		return nil
	}
	return pm
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
		c.mu.Lock()
		c.closed.Store(true) // under mu: push queues nothing after this
		if c.timer != nil {
			c.timer.Stop()
		}
		for _, q := range c.queue {
			q.d.written() // dropped with the socket
		}
		c.queue = nil
		c.mu.Unlock()
		_ = c.conn.Close()
	})
}
