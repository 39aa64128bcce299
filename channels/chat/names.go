package chat

import (
	"context"
	"sync"
	"time"
)

// Agent names shown to visitors are cached: every reply would otherwise look its author up.
const (
	nameTTL      = 5 * time.Minute // a renamed agent shows the new name after this long
	maxNameCache = 10_000
)

// names caches agent display names by id.
type names struct {
	mu      sync.Mutex
	entries map[int64]nameEntry
}

type nameEntry struct {
	name string
	at   time.Time
}

// agentName returns the display name of agent id ("" for the system, nil, or an unknown
// agent: the widget then shows the inbox's title).
func (s *Server) agentName(ctx context.Context, id *int64) string {
	if id == nil {
		return ""
	}
	now := s.store.Now()
	s.names.mu.Lock()
	e, ok := s.names.entries[*id]
	s.names.mu.Unlock()
	if ok && now.Sub(e.at) < nameTTL {
		return e.name
	}
	a, err := s.store.GetAgent(ctx, *id)
	if err != nil {
		return e.name
	}
	s.names.mu.Lock()
	if s.names.entries == nil || len(s.names.entries) >= maxNameCache {
		s.names.entries = map[int64]nameEntry{}
	}
	s.names.entries[*id] = nameEntry{name: a.Name, at: now}
	s.names.mu.Unlock()
	return a.Name
}
