package web

import "net/http"

// mentionRoutes mounts the note composer's @mention autocomplete.
func (s *Server) mentionRoutes(m *router) {
	m.Handle("GET /api/v1/conversations/{id}/mentionable", s.api(s.mentionable))
}

// mentionable is GET /api/v1/conversations/{id}/mentionable?q=prefix: up to 10 agents who may
// see the conversation (and so may be @mentioned in its notes), with the handle to write.
func (s *Server) mentionable(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		return badRequest("q is at most 100 bytes")
	}
	list, err := sc.MentionCandidates(r.Context(), id, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": list})
	return nil
}
