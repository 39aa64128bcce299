package chat

import (
	"encoding/json"

	"github.com/parleyhq/parley/inbox"
)

// publishTyping announces that a visitor started or stopped typing as presence, the way the
// web inbox announces its agents': one presence.typing (or presence.left when they stop)
// event on the presence channel, never stored, with AgentID 0 (the customer) and Data
// {"name", "customer": true}. Every process's web relay hands it to the agents who may see the
// conversation, whose page shows "NAME is typing…". A visitor without a conversation has
// nobody to tell.
func (s *Server) publishTyping(c *socket, name string, on bool) {
	conv := c.conversation()
	if conv.id == 0 {
		return
	}
	typ := presenceTyping
	if !on {
		typ = presenceLeft
	}
	if name == "" {
		name = "The customer"
	}
	e := inbox.Event{Type: typ, ConversationID: conv.id, ContactID: c.contact(), InboxID: c.inboxID,
		TeamID: conv.teamID, AssigneeID: conv.assigneeID, Channel: inbox.ChannelChat,
		Data: map[string]any{"name": name, "customer": true}, At: s.store.Now()}
	payload, err := json.Marshal(e)
	if err != nil {
		s.log.Error("chat: encode typing", "err", err)
		return
	}
	if _, err := s.store.Pool().Exec(c.ctx, "SELECT pg_notify($1, $2)", presenceChannel, string(payload)); err != nil {
		s.log.Warn("chat: publish typing", "visitor", c.visitorID, "err", err)
	}
}
