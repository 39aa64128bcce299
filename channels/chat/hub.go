package chat

import (
	"sync"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// EventAgentTyping is an event type the chat hears besides the inbox's own, through the
// inbox's NOTIFY channel (inbox.NotifyChannel) as the same JSON arrays; it is never stored and
// causes no jobs.
const (
	// EventAgentTyping shows visitors an agent typing a reply: ContactID names the customer,
	// ConversationID (if set) the conversation, and Data is {"on": bool, "agent_name": string}.
	// The visitor's sockets show it. The Server makes these from the web inbox's presence;
	// another publisher may send them on the inbox's channel.
	EventAgentTyping = "chat.agent_typing"
)

// AutoEmailFallback marks the email copy of a chat reply the visitor did not see in time
// (the chat fallback job, FallbackArgs, writes it). The chat shows the original, never the
// copy.
const AutoEmailFallback = "chat-fallback"

// hub indexes this process's visitor sockets by contact and hands each socket the events of
// its contact. dispatch runs on the feed's goroutine and never blocks: a socket whose queue is
// full is closed (its widget reconnects and replays what it missed).
type hub struct {
	srv *Server
	// meter counts the open visitor sockets (the server's Meter, or none).
	meter channels.Meter

	mu        sync.RWMutex
	all       map[*socket]struct{}
	byContact map[int64]map[*socket]struct{}
	closed    bool
}

func newHub(s *Server) *hub {
	var meter channels.Meter = channels.NoMeter{}
	if s.meter != nil {
		meter = s.meter
	}
	return &hub{srv: s, meter: meter, all: map[*socket]struct{}{}, byContact: map[int64]map[*socket]struct{}{}}
}

// add registers a socket; it reports false when the hub is closed.
func (h *hub) add(c *socket) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.all[c] = struct{}{}
	h.meter.Sockets("visitor", 1)
	if id := c.contact(); id != 0 {
		h.indexLocked(c, id)
	}
	return true
}

// index files a socket under its contact, once the contact is known or after a merge.
func (h *hub) index(c *socket, contactID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.all[c]; !ok {
		return
	}
	if old := c.contact(); old != 0 && old != contactID {
		h.unindexLocked(c, old)
	}
	c.setContact(contactID)
	h.indexLocked(c, contactID)
}

func (h *hub) indexLocked(c *socket, contactID int64) {
	set := h.byContact[contactID]
	if set == nil {
		set = map[*socket]struct{}{}
		h.byContact[contactID] = set
	}
	set[c] = struct{}{}
}

func (h *hub) unindexLocked(c *socket, contactID int64) {
	if set := h.byContact[contactID]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(h.byContact, contactID)
		}
	}
}

// remove forgets a socket and closes it.
func (h *hub) remove(c *socket) {
	h.mu.Lock()
	if _, ok := h.all[c]; ok {
		delete(h.all, c)
		h.meter.Sockets("visitor", -1)
		h.unindexLocked(c, c.contact())
	}
	h.mu.Unlock()
	c.close()
}

func (h *hub) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.all)
}

// closeAll closes every socket with 1001 "going away", which the widget reconnects from at
// once (to another process), and refuses new ones.
func (h *hub) closeAll() { h.dropAll(true) }

// dropAll closes every socket; refuse also refuses new ones, for good, and tells each socket
// the server is going away. The close frames go out at once, in parallel, each bounded by the
// write deadline.
func (h *hub) dropAll(refuse bool) {
	h.mu.Lock()
	h.closed = h.closed || refuse
	all := make([]*socket, 0, len(h.all))
	for c := range h.all {
		all = append(all, c)
	}
	h.mu.Unlock()
	if !refuse {
		for _, c := range all {
			h.remove(c)
		}
		return
	}
	// The server is going away: each widget is told so (1001) and reconnects at once, to
	// another process.
	var wg sync.WaitGroup
	for _, c := range all {
		wg.Go(func() {
			c.goAway()
			h.remove(c)
		})
	}
	wg.Wait()
}

// dispatch hands one event to the sockets it concerns.
func (h *hub) dispatch(e inbox.Event) {
	switch e.Type {
	case inbox.EventFeedResumed:
		// Events were missed while the feed was down: every widget reconnects and replays
		// after its last message, with the replies no socket delivered (see backlog).
		h.dropAll(false)
		return
	case inbox.EventContactMerged:
		h.merged(e)
		return
	}
	if e.ContactID == 0 {
		return
	}
	h.mu.RLock()
	targets := make([]*socket, 0, len(h.byContact[e.ContactID]))
	for c := range h.byContact[e.ContactID] {
		targets = append(targets, c)
	}
	h.mu.RUnlock()
	if len(targets) == 0 {
		return
	}
	var slow []*socket
	for _, c := range targets {
		if !c.handle(e) {
			slow = append(slow, c)
		}
	}
	for _, c := range slow {
		h.srv.log.Warn("chat: dropping a slow visitor socket", "visitor", c.visitorID)
		h.remove(c)
	}
}

// merged moves the sockets of a contact merged into another under the one kept.
func (h *hub) merged(e inbox.Event) {
	other, ok := e.Data["merged"].(float64)
	if !ok || e.ContactID == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.byContact[int64(other)] {
		c.setContact(e.ContactID)
		h.indexLocked(c, e.ContactID)
	}
	delete(h.byContact, int64(other))
}
