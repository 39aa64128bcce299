package web

import (
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// Close codes of the sockets of an agent whose access changed.
const (
	// closeAccessChanged: the agent was deactivated or given another role. The page reloads,
	// which lands a signed-out agent on the sign-in form and shows the rest what their role
	// allows.
	closeAccessChanged = 4001
	// closeTokenRevoked: one of the agent's tokens was revoked. A socket does not record which
	// credential opened it, so all of the agent's close; those opened with a session or another
	// token simply reconnect, the revoked token's is refused.
	closeTokenRevoked = 4002
)

// closeAgent closes every socket of an agent, telling the client why (code).
func (h *hub) closeAgent(agentID int64, code int, reason string) {
	var theirs []*client
	h.mu.RLock()
	for c := range h.clients {
		if c.agent.ID == agentID {
			theirs = append(theirs, c)
		}
	}
	h.mu.RUnlock()
	msg := websocket.FormatCloseMessage(code, reason)
	for _, c := range theirs {
		// WriteControl may run beside the socket's writer (gorilla/websocket allows it).
		_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		h.remove(c)
	}
}

// onEvent receives every event of the process's feed. Account changes take effect here at
// once, on every process: the tokens cached for a changed agent or a revoked token are
// forgotten and the agent's sockets closed (they are not fanned out to sockets). A feed that
// reconnected may have missed such announcements, so it forgets every cached token. Every other
// event goes to the hub.
func (s *Server) onEvent(e inbox.Event) {
	switch e.Type {
	case inbox.EventAgentChanged:
		s.tokens.dropAgent(e.AgentID)
		s.hub.closeAgent(e.AgentID, closeAccessChanged, "access changed")
		return
	case inbox.EventTokenRevoked:
		s.tokens.dropToken(e.DataID("token_id"))
		s.hub.closeAgent(e.AgentID, closeTokenRevoked, "token revoked")
		return
	case inbox.EventFeedResumed:
		s.tokens.clear()
	}
	s.hub.publish(e)
}
