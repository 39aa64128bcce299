package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// newUpgrader keeps socket buffers small and shares write buffers between sockets, so an idle
// socket holds no write buffer. The read buffer is small too: an agent's socket only reads
// presence frames of about 60 bytes (larger frames are read in several calls). Its default
// origin check refuses cross-origin pages: a token alone must not open an agent socket from
// another site.
func newUpgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		ReadBufferSize:  128,
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
	}
}

// events is GET /api/v1/events: the WebSocket of live events for the authenticated agent. A
// frame is one JSON inbox.Event, or a JSON array of several in order (the events of a short
// interval, gathered by the hub); a "feed.resumed" event tells the client to catch up. With
// ?since= (the page's data-since), the first frame holds the events since then (since.go).
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	agent := agentFrom(r.Context())
	since, err := parseSince(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	v, err := s.viewerOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	// The agent counts as online from the moment their socket opens (and for as long as it
	// beats): recorded before the upgrade, so a dashboard read once the socket is open counts it.
	if err := s.store.TouchOnline(r.Context(), agent.ID); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the client already
	}
	c := &client{agent: agent, viewer: v.scope.Viewer(), conn: conn}
	s.hub.join(c, since)
	if code, ok := s.stillValid(r, agent, c.viewer); !ok {
		// Only this socket: the agent's others were checked when they opened, and a change
		// since then was announced to them (onEvent).
		s.hub.closeClients([]*client{c}, code, "access changed")
		return
	}
	// The handler returns and net/http lets go of the request's buffers; the socket keeps one
	// goroutine, its read loop, and its timer. Its work outlives the request and needs none of
	// its context's values (the client holds the agent and what they may see): a context of its
	// own keeps the request's chain of contexts from living as long as the socket.
	ctx := context.Background()
	s.returned(ctx, agent.ID)
	c.every(pingInterval, func() {
		c.ping()
		s.heartbeat(ctx, agent.ID)
	})
	go func() {
		c.readPump(func(frame []byte) { s.ui.presence.receive(ctx, c, frame) })
		s.hub.remove(c)
		s.ui.presence.gone(c)
		s.left(ctx, agent.ID)
	}()
}

// returned ends the agent's automatic away, if they had one, now that a tab of theirs is open
// (after the socket joined the hub, so it hears the change).
func (s *Server) returned(ctx context.Context, agentID int64) {
	if s.away == nil {
		return
	}
	if err := s.away.Returned(ctx, agentID); err != nil && ctx.Err() == nil {
		s.log.Warn("return from away", "agent", agentID, "err", err)
	}
}

// left schedules the agent's automatic away when their last socket on this process closed (the
// job reads every process's heartbeat before it acts).
func (s *Server) left(ctx context.Context, agentID int64) {
	if s.away == nil || s.hub.holds(agentID) {
		return
	}
	if err := s.away.Left(ctx, agentID); err != nil && ctx.Err() == nil {
		s.log.Warn("schedule away", "agent", agentID, "err", err)
	}
}

// stillValid re-reads, past every cache, the credential that opened a socket once the socket is
// in the hub, and what its agent may see (opened is what the socket was given). A revocation,
// deactivation, role change or team membership change that committed after the request was
// authenticated but before the socket was registered announced itself to no socket; it is
// caught here, and the close code says which (as onEvent's would).
func (s *Server) stillValid(r *http.Request, agent inbox.Agent, opened inbox.Viewer) (int, bool) {
	var fresh inbox.Agent
	var err error
	if token, ok := bearer(r); ok {
		if fresh, _, err = s.store.TokenAgent(r.Context(), token); err != nil {
			// A deactivated agent's tokens fail too; the feed says that with closeAccessChanged.
			if errors.Is(err, inbox.ErrDeactivated) {
				return closeAccessChanged, false
			}
			return closeTokenRevoked, false
		}
	} else if fresh, err = s.sessionAgent(r); err != nil {
		return closeAccessChanged, false
	}
	if fresh.Role != agent.Role {
		return closeAccessChanged, false
	}
	now, err := s.store.ViewerOf(r.Context(), fresh)
	if err != nil {
		return closeAccessChanged, false
	}
	return closeAccessChanged, sameView(now, opened)
}

func encodeEvent(e inbox.Event) ([]byte, error) { return json.Marshal(e) }
