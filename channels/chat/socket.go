package chat

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
)

// socket is one visitor connection. One goroutine reads; frames reach the writer through a
// bounded queue, and a writer goroutine runs only while the queue holds frames, so an idle
// socket has one goroutine and a ping timer.
type socket struct {
	srv       *Server
	conn      *websocket.Conn
	ctx       context.Context // the server's: a socket's database work ends when the server closes
	inboxID   int64
	visitorID string
	lang      string // the session's language (session.lang), for the texts the socket tells
	// words are the texts the socket tells, loaded at the first need (texts) and kept: only
	// the goroutine that reads the socket (or, before it starts, the one that opens it) uses it.
	words *custtext.Set
	// source is the address the socket came from (netlimit.SourceKey); holdsSlot is set
	// while it counts against the address's socket cap.
	source    string
	holdsSlot bool
	done      chan struct{}
	once      sync.Once

	// qmu guards the frames waiting to be written (at most SendQueue) and writing, which is set
	// while a writer goroutine runs, and from the start until the session is open (the handler
	// writes the welcome itself); ping is the timer of the next ping.
	qmu     sync.Mutex
	queue   []outItem
	writing bool
	ping    *time.Timer

	mu        sync.Mutex
	contactID int64
	conv      convRef

	// Used by the writer only (and by the handler before the session opens).
	recent   [16]int64 // ids of the last messages written, to skip a second copy
	next     int
	replayed map[int64]struct{} // ids written by the replay, until the queue first drains
}

// convRef is what a socket knows of its visitor's current conversation: for status frames
// and for the visibility fields of typing events.
type convRef struct {
	id, teamID, assigneeID int64
}

// outItem is one queued frame: a ready frame, or (frame nil) a message to fetch and show.
// msgID is set for message frames, so that a message is written once.
type outItem struct {
	frame []byte
	msgID int64
}

func (c *socket) contact() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.contactID
}

func (c *socket) setContact(id int64) {
	c.mu.Lock()
	c.contactID = id
	c.mu.Unlock()
}

func (c *socket) conversation() convRef {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv
}

// follow updates the current conversation from an event of the visitor's contact and reports
// whether the event concerns it. A message or a new conversation makes its conversation the
// current one.
func (c *socket) follow(e inbox.Event) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case e.ConversationID == 0:
		return false
	case e.ConversationID == c.conv.id:
	case e.Type == inbox.EventMessageCreated || e.Type == inbox.EventConversationCreated:
		c.conv.id = e.ConversationID
	default:
		return false
	}
	c.conv.teamID, c.conv.assigneeID = e.TeamID, e.AssigneeID
	return true
}

// setConversation makes conv current unless events already moved on to a newer one.
func (c *socket) setConversation(conv convRef) {
	c.mu.Lock()
	if conv.id >= c.conv.id {
		c.conv = conv
	}
	c.mu.Unlock()
}

// handle queues what an event of the visitor's contact shows them. It reports false when the
// queue is full: the socket is too slow and is dropped.
func (c *socket) handle(e inbox.Event) bool {
	switch e.Type {
	case inbox.EventMessageCreated:
		c.follow(e)
		if e.Direction == inbox.DirectionNote || e.Channel != inbox.ChannelChat {
			return true // see visible
		}
		return c.enqueue(outItem{msgID: e.MessageID})
	case inbox.EventConversationStatus:
		if !c.follow(e) {
			return true
		}
		return c.enqueueFrame(Status{Status: string(e.Status)})
	case EventAgentTyping:
		if e.ConversationID != 0 && e.ConversationID != c.conversation().id {
			return true // typing in another of the customer's conversations
		}
		on, _ := e.Data["on"].(bool)
		name, _ := e.Data["agent_name"].(string)
		return c.enqueueFrame(AgentTyping{AgentName: name, On: on})
	default:
		c.follow(e)
	}
	return true
}

func (c *socket) enqueueFrame(f ServerFrame) bool {
	b, err := Encode(f)
	if err != nil {
		c.srv.log.Error("chat: encode frame", "err", err)
		return true
	}
	return c.enqueue(outItem{frame: b})
}

// enqueue queues a frame and starts the writer unless one runs; it never blocks, and reports
// false when the queue is full.
func (c *socket) enqueue(it outItem) bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	select {
	case <-c.done:
		return true
	default:
	}
	if len(c.queue) >= c.srv.sock.SendQueue {
		return false
	}
	c.queue = append(c.queue, it)
	c.startWriterLocked()
	return true
}

func (c *socket) startWriterLocked() {
	if !c.writing && len(c.queue) > 0 {
		c.writing = true
		go c.writeQueued()
	}
}

// opened hands the socket's writes to its queue once the session is open, and starts pinging.
func (c *socket) opened() {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.writing = false
	c.startWriterLocked()
	c.ping = time.AfterFunc(c.srv.sock.PingInterval, c.pingNow)
}

// pingNow pings the socket (beside a running writer: gorilla/websocket allows it) and sets
// the next ping; a socket that cannot take it is dropped.
func (c *socket) pingNow() {
	select {
	case <-c.done:
		return
	default:
	}
	if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.srv.sock.WriteWait)); err != nil {
		c.srv.hub.remove(c)
		return
	}
	c.qmu.Lock()
	c.ping.Reset(c.srv.sock.PingInterval)
	c.qmu.Unlock()
}

func (c *socket) close() {
	c.once.Do(func() {
		c.qmu.Lock()
		close(c.done)
		if c.ping != nil {
			c.ping.Stop()
		}
		c.queue = nil
		c.qmu.Unlock()
		_ = c.conn.Close()
		c.srv.leaveSocket(c)
	})
}

// shut ends the session with a close status: the widget retries unless it is 1008. It waits
// briefly for the client to answer the close, discarding what it still sends, so the close
// frame is read rather than lost to a reset connection.
func (c *socket) shut(code int, reason string) {
	deadline := time.Now().Add(c.srv.sock.WriteWait)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
	c.linger()
}

// goAway sends a close with status 1001 (going away), which the widget answers by
// reconnecting at once; the caller closes the connection.
func (c *socket) goAway() {
	deadline := time.Now().Add(time.Second)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), deadline)
}

// linger discards what the client still sends for a moment, then closes the connection.
func (c *socket) linger() {
	nc := c.conn.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = io.CopyN(io.Discard, nc, 4*MaxFrameBytes)
	c.close()
}

// writeNow writes one frame; only the writer (or the handler before the session opens)
// calls it.
func (c *socket) writeNow(frame []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.srv.sock.WriteWait))
	return c.conn.WriteMessage(websocket.TextMessage, frame)
}

// writeQueued writes the queued frames in order and ends when the queue is empty; a failed
// write drops the socket. When more than one frame waits (a reply and its conversation's
// status change, say), the connection is corked until the queue is empty, so they leave in one
// packet.
func (c *socket) writeQueued() {
	corked := false
	for {
		c.qmu.Lock()
		if len(c.queue) == 0 {
			if corked {
				setCork(c.conn.NetConn(), false) // before another writer may start
			}
			c.writing = false
			c.replayed = nil // the frames queued during the replay are written
			c.qmu.Unlock()
			return
		}
		it := c.queue[0]
		c.queue[0] = outItem{}
		c.queue = c.queue[1:]
		more := len(c.queue) > 0
		c.qmu.Unlock()
		if more && !corked {
			setCork(c.conn.NetConn(), true)
			corked = true
		}
		if err := c.write(it); err != nil {
			if !errors.Is(err, websocket.ErrCloseSent) {
				c.srv.log.Debug("chat: write", "visitor", c.visitorID, "err", err)
			}
			c.srv.hub.remove(c)
			return
		}
	}
}

// write writes one queued item: a message is fetched, shown once, and recorded as seen.
func (c *socket) write(it outItem) error {
	if it.msgID != 0 && c.wrote(it.msgID) {
		return nil
	}
	var seen *inbox.Message
	if it.frame == nil {
		var err error
		// The writer ends when its queue is empty: the stack the fetch grows goes with it.
		it.frame, seen, err = c.fetch(it.msgID)
		if err != nil || it.frame == nil {
			return err
		}
	}
	if err := c.writeNow(it.frame); err != nil {
		return err
	}
	c.remember(it.msgID)
	if seen != nil {
		c.srv.visitors.markSeen(c.ctx, c.inboxID, c.visitorID, []inbox.Message{*seen})
	}
	return nil
}

// fetch loads message id and returns the frame that shows it, nil when the visitor does not
// see it.
func (c *socket) fetch(id int64) ([]byte, *inbox.Message, error) {
	m, err := c.srv.messages.get(c.ctx, id)
	if errors.Is(err, inbox.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err // the socket closes; the widget reconnects and replays it
	}
	if !visible(m) {
		return nil, nil, nil
	}
	frame, err := Encode(c.srv.frameOf(c.ctx, m, c.visitorID))
	if err != nil {
		return nil, nil, err
	}
	return frame, &m, nil
}

// wrote reports whether message id was written on this socket already.
func (c *socket) wrote(id int64) bool {
	if _, ok := c.replayed[id]; ok {
		return true
	}
	for _, r := range c.recent {
		if r == id {
			return true
		}
	}
	return false
}

func (c *socket) remember(id int64) {
	if id == 0 {
		return
	}
	c.recent[c.next] = id
	c.next = (c.next + 1) % len(c.recent)
}
