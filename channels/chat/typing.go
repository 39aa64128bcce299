package chat

import (
	"encoding/json"

	"github.com/parleyhq/parley/inbox"
)

// publishTyping announces that a visitor started or stopped typing, as an EventVisitorTyping
// on the inbox's NOTIFY channel: every parley process's feed hears it and the agent hub
// forwards it to the agents who may see the conversation. Nothing is stored. A visitor
// without a conversation has nobody to tell.
func (s *Server) publishTyping(c *socket, on bool) {
	conv := c.conversation()
	if conv.id == 0 {
		return
	}
	e := inbox.Event{Type: EventVisitorTyping, ConversationID: conv.id, ContactID: c.contact(),
		InboxID: c.inboxID, TeamID: conv.teamID, AssigneeID: conv.assigneeID, Channel: inbox.ChannelChat,
		Data: map[string]any{"on": on}, At: s.store.Now()}
	payload, err := json.Marshal([]inbox.Event{e})
	if err != nil {
		s.log.Error("chat: encode typing", "err", err)
		return
	}
	if _, err := s.store.Pool().Exec(c.ctx, "SELECT pg_notify($1, $2)", inbox.NotifyChannel, string(payload)); err != nil {
		s.log.Warn("chat: publish typing", "visitor", c.visitorID, "err", err)
	}
}
