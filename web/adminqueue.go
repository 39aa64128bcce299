package web

import (
	"net/http"
)

// setDefaultQueue is POST /admin/teams/{id}/default-queue (form on=true or on=false): the
// team's agents see, or stop seeing, the conversations of no team (inbox.Viewer).
func (s *Server) setDefaultQueue(w http.ResponseWriter, r *http.Request) error {
	team, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	var on bool
	switch r.PostForm.Get("on") {
	case "true":
		on = true
	case "false":
	default:
		return badRequest(`on must be "true" or "false"`)
	}
	if err := s.store.SetDefaultQueue(r.Context(), team, on); err != nil {
		return err
	}
	saved(w, r, "/admin/teams", "queue")
	return nil
}
