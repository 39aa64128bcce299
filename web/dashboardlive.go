package web

import (
	"context"
	"net/http"
	"time"
)

// heartbeatEvery is how often an open event socket records its agent as online
// (inbox.Store.TouchOnline); inbox.OnlineWindow allows for a few missed beats.
const heartbeatEvery = 30 * time.Second

// liveFigures is the dashboard's live tiles, as the page renders them and as
// GET /api/v1/dashboard/live answers.
type liveFigures struct {
	Open       int64        `json:"open"`
	Unassigned int64        `json:"unassigned"`
	Snoozed    int64        `json:"snoozed"`
	Online     int64        `json:"online"`
	Available  int64        `json:"available"`
	Longest    *longestWait `json:"longest_wait"` // null: nobody waits
	// Agents are the agents the figures cover, available first, then away, then offline.
	Agents []liveAgent `json:"agents"`
}

// liveAgent is one agent on the dashboard: their availability (Automatic: an automatic away)
// and whether a tab of theirs is open.
type liveAgent struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Availability string `json:"availability"`
	Automatic    bool   `json:"automatic"`
	Online       bool   `json:"online"`
}

// longestWait is the conversation whose customer has waited longest for an agent's reply.
type longestWait struct {
	ConversationID int64     `json:"conversation_id"`
	Subject        string    `json:"subject"`
	Since          time.Time `json:"since"`
	// Wait is how long, as the page shows it when rendered ("12m 05s").
	Wait string `json:"wait"`
}

// liveOf reads the live figures of what the request's agent's reports cover (reportViewer: an
// admin everything, a supervisor their teams).
func (s *Server) liveOf(ctx context.Context, r *http.Request) (liveFigures, error) {
	v, err := s.reportViewer(r.Context())
	if err != nil {
		return liveFigures{}, err
	}
	l, err := s.store.As(v).Live(ctx)
	if err != nil {
		return liveFigures{}, err
	}
	out := liveFigures{Open: l.Open, Unassigned: l.Unassigned, Snoozed: l.Snoozed, Online: l.Online, Available: l.Available,
		Agents: make([]liveAgent, 0, len(l.Agents))}
	for _, a := range l.Agents {
		out.Agents = append(out.Agents, liveAgent{ID: a.ID, Name: a.Name, Availability: a.Availability, Automatic: a.Automatic, Online: a.Online})
	}
	if w := l.Longest; w != nil {
		out.Longest = &longestWait{ConversationID: w.ConversationID, Subject: w.Subject, Since: w.Since.UTC(),
			Wait: s.words(r).duration(s.now().Sub(w.Since))}
	}
	return out, nil
}

// dashboardLive is GET /api/v1/dashboard/live: the dashboard's live tiles (open and unassigned
// conversations now, the longest wait, agents online), which its script reloads on live events.
func (s *Server) dashboardLive(w http.ResponseWriter, r *http.Request) error {
	l, err := s.liveOf(r.Context(), r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// heartbeat records the socket's agent as online (the events handler recorded the first beat;
// the socket's timer beats every heartbeatEvery), so that any process's dashboard counts them
// (inbox.Live.Online).
func (s *Server) heartbeat(ctx context.Context, agentID int64) {
	if err := s.store.TouchOnline(ctx, agentID); err != nil && ctx.Err() == nil {
		s.log.Warn("heartbeat", "agent", agentID, "err", err)
	}
}
