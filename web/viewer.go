package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// viewer is the signed-in agent and the store as they may see it: every handler that reads or
// acts on conversations, messages, contacts or attachments goes through scope, where the one
// visibility rule (inbox.Viewer) is applied; what the agent may not see answers 404.
type viewer struct {
	agent inbox.Agent
	scope inbox.Scope
}

// viewerOf returns the request's viewer.
func (s *Server) viewerOf(r *http.Request) (viewer, error) {
	a := agentFrom(r.Context())
	v, err := s.store.ViewerOf(r.Context(), a)
	if err != nil {
		return viewer{}, err
	}
	return viewer{agent: a, scope: s.store.As(v)}, nil
}

// scope returns the store as the request's agent may see it.
func (s *Server) scope(r *http.Request) (inbox.Scope, error) {
	v, err := s.viewerOf(r)
	return v.scope, err
}

// scopeAndID is scope for a request whose path names one resource: its {id}, checked first,
// so a malformed id is a 400 before any read.
func (s *Server) scopeAndID(r *http.Request) (inbox.Scope, int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return inbox.Scope{}, 0, err
	}
	sc, err := s.scope(r)
	return sc, id, err
}
