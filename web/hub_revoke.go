package web

import (
	"context"
	"slices"
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
	h.closeClients(h.agentClients(agentID), code, reason)
}

// agentClients returns the agent's open sockets on this process.
func (h *hub) agentClients(agentID int64) []*client {
	var theirs []*client
	h.mu.RLock()
	for c := range h.clients {
		if c.agent.ID == agentID {
			theirs = append(theirs, c)
		}
	}
	h.mu.RUnlock()
	return theirs
}

// closeClients closes the sockets, telling their clients why (code).
func (h *hub) closeClients(theirs []*client, code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	for _, c := range theirs {
		// WriteControl may run beside the socket's writer (gorilla/websocket allows it).
		_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		h.remove(c)
	}
}

// onEvent receives every event of the process's feed. Account changes take effect here at
// once, on every process: the tokens cached for a changed agent or a revoked token are
// forgotten and the agent's sockets closed where their access changed (they are not fanned out
// to sockets). A feed that reconnected may have missed such announcements, so it forgets every
// cached token. Every other event goes to the hub.
func (s *Server) onEvent(e inbox.Event) {
	switch e.Type {
	case inbox.EventAgentChanged:
		s.tokens.dropAgent(e.AgentID)
		s.accessMayHaveChanged(e.AgentID)
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

// accessMayHaveChanged closes those of the agent's sockets on this process whose access changed: the
// agent was deactivated, given another role, or now sees other teams' conversations. The feed's
// goroutine runs it before it hands on the next event, so no event the socket may no longer see
// reaches it. The rest stay open: an admin put in a team, or an agent renamed, sees what they
// saw, and a reload would only throw away what their page holds (a dialog being written). When
// the agent cannot be read, every socket of theirs closes, as before this check.
func (s *Server) accessMayHaveChanged(agentID int64) {
	theirs := s.hub.agentClients(agentID)
	if len(theirs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fresh, err := s.store.GetAgent(ctx, agentID)
	var now inbox.Viewer
	if err == nil {
		now, err = s.store.ViewerOf(ctx, fresh)
	}
	if err != nil {
		s.log.Warn("agent changed: reading their access; closing their sockets", "agent", agentID, "err", err)
		s.hub.closeClients(theirs, closeAccessChanged, "access changed")
		return
	}
	changed := slices.DeleteFunc(theirs, func(c *client) bool {
		return fresh.Active && fresh.Role == c.agent.Role && sameView(now, c.viewer)
	})
	s.hub.closeClients(changed, closeAccessChanged, "access changed")
}

// sameView reports whether two Viewers let their agent see the same conversations.
func sameView(a, b inbox.Viewer) bool {
	return a.All == b.All && a.DefaultQueue == b.DefaultQueue && slices.Equal(a.TeamIDs, b.TeamIDs)
}
