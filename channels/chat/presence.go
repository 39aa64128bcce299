package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// The web inbox announces agents' presence on a NOTIFY channel of its own, one inbox.Event
// per notification, never stored (web.PresenceChannel, web.EventPresenceTyping and
// web.EventPresenceLeft; Data carries the agent's "name").
const (
	presenceChannel = "parley_presence"
	presenceTyping  = "presence.typing"
	presenceLeft    = "presence.left"
)

// RunPresence listens to the agents' presence until ctx ends and shows an agent typing in a
// conversation to that customer's visitors connected to this process, as EventAgentTyping
// does. It holds one database connection of its own, reconnects with backoff (capped at 5 s)
// when it breaks, and returns nil when ctx is done.
func (s *Server) RunPresence(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		err := s.listenPresence(ctx)
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("chat: presence listener disconnected; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (s *Server) listenPresence(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, s.store.Pool().Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("chat: presence: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+presenceChannel); err != nil {
		return fmt.Errorf("chat: presence: listen: %w", err)
	}
	s.presenceOnce.Do(func() { close(s.presenceReady) })
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("chat: presence: wait: %w", err)
		}
		var e inbox.Event
		if json.Unmarshal([]byte(n.Payload), &e) == nil {
			s.agentPresence(ctx, e)
		}
	}
}

// PresenceReady is closed once RunPresence listens for the first time.
func (s *Server) PresenceReady() <-chan struct{} { return s.presenceReady }

// agentPresence turns an agent's typing (or leaving) into an agent typing frame for the
// visitors of the conversation's customer.
func (s *Server) agentPresence(ctx context.Context, e inbox.Event) {
	if (e.Type != presenceTyping && e.Type != presenceLeft) || e.AgentID == 0 || e.ConversationID == 0 || s.hub.count() == 0 {
		return // not an agent's typing (AgentID 0 is a visitor's own), or nobody here to tell
	}
	conv, err := s.store.GetConversation(ctx, e.ConversationID)
	if err != nil {
		return
	}
	name, _ := e.Data["name"].(string)
	s.hub.dispatch(inbox.Event{Type: EventAgentTyping, ConversationID: conv.ID, ContactID: conv.ContactID,
		Data: map[string]any{"on": e.Type == presenceTyping, "agent_name": name}})
}
