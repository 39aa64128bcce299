package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// PresenceChannel is the PostgreSQL channel that carries agents' presence ("X is viewing",
// "X is typing") between parley processes. Presence is ephemeral: never stored, and kept apart
// from inbox.NotifyChannel so that change-event subscribers never see it.
const PresenceChannel = "parley_presence"

// Presence event types, sent to agent sockets like inbox events. Data carries the agent's name.
const (
	EventPresenceViewing = "presence.viewing" // the agent has the conversation open (repeated every ~20 s)
	EventPresenceTyping  = "presence.typing"  // the agent is writing in the conversation's composer
	EventPresenceLeft    = "presence.left"    // the agent closed the conversation or the tab
)

// typingEvery is the least time between two typing frames of one socket that are passed on.
const typingEvery = time.Second

// presenceFrame is what an agent's tab sends on its event socket.
type presenceFrame struct {
	Type           string `json:"type"` // "viewing", "typing" or "left"
	ConversationID int64  `json:"conversation_id"`
}

// presenceState is what one socket last said about itself. Only the socket's read loop uses it.
type presenceState struct {
	conv       inbox.Event // the conversation viewed: its id, team and assignee (for filtering)
	lastTyping time.Time
}

// presence relays presence frames through pg_notify and hands what arrives to the hub, which
// filters it by what each agent may see like any event.
type presence struct {
	s     *Server
	ready chan struct{}
	once  sync.Once
}

func newPresence(s *Server) *presence { return &presence{s: s, ready: make(chan struct{})} }

// receive handles one frame from a client's socket. Frames that are malformed, too frequent or
// about a conversation the agent may not see are dropped.
func (p *presence) receive(ctx context.Context, c *client, raw []byte) {
	var f presenceFrame
	if json.Unmarshal(raw, &f) != nil || f.ConversationID < 0 {
		return
	}
	now := p.s.now()
	st := &c.presence
	switch f.Type {
	case "left":
		p.leave(ctx, c)
		return
	case "typing":
		if f.ConversationID == st.conv.ConversationID && now.Sub(st.lastTyping) < typingEvery {
			return
		}
		st.lastTyping = now
	case "viewing":
	default:
		return
	}
	if f.ConversationID != st.conv.ConversationID {
		p.leave(ctx, c)
		conv, err := p.s.store.As(c.viewer).GetConversation(ctx, f.ConversationID)
		if err != nil {
			return
		}
		st.conv = inbox.Event{ConversationID: conv.ID, TeamID: deref(conv.TeamID), AssigneeID: deref(conv.AssigneeID)}
	}
	typ := EventPresenceViewing
	if f.Type == "typing" {
		typ = EventPresenceTyping
	}
	p.announce(ctx, c, typ)
}

// leave announces that the client no longer views its conversation.
func (p *presence) leave(ctx context.Context, c *client) {
	if c.presence.conv.ConversationID == 0 {
		return
	}
	p.announce(ctx, c, EventPresenceLeft)
	c.presence = presenceState{}
}

// gone is called once a client's socket closed.
func (p *presence) gone(c *client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.leave(ctx, c)
}

func (p *presence) announce(ctx context.Context, c *client, typ string) {
	e := c.presence.conv
	e.Type, e.AgentID, e.At = typ, c.agent.ID, p.s.now()
	e.Data = map[string]any{"name": c.agent.Name}
	payload, err := json.Marshal(e)
	if err != nil {
		return
	}
	if _, err := p.s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", PresenceChannel, string(payload)); err != nil {
		p.s.log.Warn("presence: notify", "err", err)
	}
}

// Run relays presence between processes until ctx ends, reconnecting with backoff (capped at
// 5 s) when its listening connection breaks. It returns nil when ctx is done.
func (s *Server) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		err := s.ui.presence.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("presence relay disconnected; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// PresenceReady is closed once the presence relay listens for the first time.
func (s *Server) PresenceReady() <-chan struct{} { return s.ui.presence.ready }

// listen takes a connection out of the pool (a LISTEN must not return to it), listens on
// PresenceChannel and publishes every presence event to the hub.
func (p *presence) listen(ctx context.Context) error {
	pc, err := p.s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("web: presence: acquire: %w", err)
	}
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+PresenceChannel); err != nil {
		return fmt.Errorf("web: presence: listen: %w", err)
	}
	p.once.Do(func() { close(p.ready) })
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("web: presence: wait: %w", err)
		}
		var e inbox.Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.Type == "" {
			p.s.log.Error("presence: undecodable notification", "err", errors.Join(err))
			continue
		}
		p.s.hub.publish(e)
	}
}
