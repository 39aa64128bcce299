package web

import (
	"net/http"

	"github.com/parleyhq/parley/internal/download"
)

// me is GET /api/v1/me: the authenticated agent and their teams.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	a := agentFrom(r.Context())
	teams, err := s.store.AgentTeams(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agent": a, "team_ids": teams})
	return nil
}

// setAvailability is POST /api/v1/me/availability {"availability": "available"|"away"|"offline"}.
func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Availability string `json:"availability"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a := agentFrom(r.Context())
	if err := s.store.SetAvailability(r.Context(), a.ID, req.Availability); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"availability": req.Availability})
	return nil
}

// getAttachment is GET /api/v1/attachments/{id}: the file, streamed from the file store and
// served as a download so that no customer-supplied content runs in the page. Another team's
// attachment is 404, as one that does not exist.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	a, rc, err := sc.OpenAttachment(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := download.Serve(w, a, rc, false); err != nil {
		s.log.Warn("attachment: the download stopped", "attachment", id, "err", err)
	}
	return nil
}
