package web

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/pgrelay"
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
	// presencePrefix starts every presence event's type.
	presencePrefix = "presence."
)

// typingEvery is the least time between two typing frames of one socket that are passed on.
const typingEvery = time.Second

// presenceFrame is what an agent's tab sends on its event socket.
type presenceFrame struct {
	Type           string `json:"type"` // "viewing", "typing" or "left"
	ConversationID int64  `json:"conversation_id"`
}

// presenceState is what one socket last said about itself. Only the socket's read loop uses it.
// Every agent socket holds one, so it keeps only the ids the announcements need, not an
// inbox.Event (a few hundred bytes a socket).
type presenceState struct {
	conv       viewedConversation
	lastTyping time.Time
}

// viewedConversation is the conversation a socket's agent views: its id, and its team and
// assignee as of the first frame about it, for filtering the announcements like its events.
type viewedConversation struct {
	ConversationID, TeamID, AssigneeID int64
}

// presence relays presence frames through pg_notify and hands what arrives on PresenceChannel
// (through the process's pgrelay.Relay) to the hub, which filters it by what each agent may
// see like any event.
type presence struct {
	s     *Server
	ready <-chan struct{}
}

// newPresence subscribes to PresenceChannel on relay. Without a relay this process announces
// its agents' presence but hears none, and PresenceReady never closes.
func newPresence(s *Server, relay *pgrelay.Relay) *presence {
	p := &presence{s: s, ready: make(chan struct{})}
	if relay != nil {
		// Presence is ephemeral: what was missed while the relay reconnected is stale, and
		// viewing is announced again every ~20 s, so there is nothing to resync.
		p.ready, _ = relay.Listen(PresenceChannel, p.notified, nil)
	}
	return p
}

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
		st.conv = viewedConversation{ConversationID: conv.ID, TeamID: deref(conv.TeamID), AssigneeID: deref(conv.AssigneeID)}
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
	v := c.presence.conv
	e := inbox.Event{Type: typ, ConversationID: v.ConversationID, TeamID: v.TeamID, AssigneeID: v.AssigneeID,
		AgentID: c.agent.ID, At: p.s.now(), Data: map[string]any{"name": c.agent.Name}}
	payload, err := json.Marshal(e)
	if err != nil {
		return
	}
	if _, err := p.s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", PresenceChannel, string(payload)); err != nil {
		p.s.log.Warn("presence: notify", "err", err)
	}
}

// PresenceReady is closed once the process's relay listens on PresenceChannel.
func (s *Server) PresenceReady() <-chan struct{} { return s.ui.presence.ready }

// notified publishes a presence event of any process to the hub.
func (p *presence) notified(payload string) {
	var e inbox.Event
	if err := json.Unmarshal([]byte(payload), &e); err != nil || e.Type == "" {
		p.s.log.Error("presence: undecodable notification", "err", errors.Join(err))
		return
	}
	p.s.hub.publish(e)
}
