package chat

import (
	"context"
	"encoding/json"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/pgrelay"
)

// The web inbox announces agents' presence on a NOTIFY channel of its own, one inbox.Event
// per notification, never stored (web.PresenceChannel, web.EventPresenceTyping and
// web.EventPresenceLeft; Data carries the agent's "name").
const (
	presenceChannel = "parley_presence"
	presenceTyping  = "presence.typing"
	presenceLeft    = "presence.left"
)

// presenceQueue is how many agents' presence events may wait for their conversation lookup;
// more are dropped (typing is ephemeral, the next frame says it again).
const presenceQueue = 64

// listenPresence subscribes to the agents' presence on relay and shows an agent typing in a
// conversation to that customer's visitors connected to this process, as EventAgentTyping
// does, until the server closes. Finding the customer takes a query, which must not hold up
// the relay: the relay's goroutine only queues the event.
func (s *Server) listenPresence(relay *pgrelay.Relay) {
	queue := make(chan inbox.Event, presenceQueue)
	var cancel func()
	s.presenceReady, cancel = relay.Listen(presenceChannel, func(payload string) {
		var e inbox.Event
		if json.Unmarshal([]byte(payload), &e) != nil || !agentTyping(e) || s.hub.count() == 0 {
			return // not an agent's typing, or nobody here to tell
		}
		select {
		case queue <- e:
		default:
			s.log.Warn("chat: agents' presence queue full; dropping an event", "conversation", e.ConversationID)
		}
	}, nil)
	go func() {
		defer cancel()
		for {
			select {
			case <-s.ctx.Done():
				return
			case e := <-queue:
				s.agentPresence(s.ctx, e)
			}
		}
	}()
}

// PresenceReady is closed once the relay listens to the agents' presence for the first time;
// never without a Config.Relay.
func (s *Server) PresenceReady() <-chan struct{} { return s.presenceReady }

// agentTyping reports whether e is an agent's typing or leaving (AgentID 0 is a visitor's own).
func agentTyping(e inbox.Event) bool {
	return (e.Type == presenceTyping || e.Type == presenceLeft) && e.AgentID != 0 && e.ConversationID != 0
}

// agentPresence turns an agent's typing (or leaving) into an agent typing frame for the
// visitors of the conversation's customer.
func (s *Server) agentPresence(ctx context.Context, e inbox.Event) {
	if !agentTyping(e) || s.hub.count() == 0 {
		return
	}
	conv, err := s.store.GetConversation(ctx, e.ConversationID)
	if err != nil {
		return
	}
	name, _ := e.Data["name"].(string)
	s.hub.dispatch(inbox.Event{Type: EventAgentTyping, ConversationID: conv.ID, ContactID: conv.ContactID,
		Data: map[string]any{"on": e.Type == presenceTyping, "agent_name": name}})
}
