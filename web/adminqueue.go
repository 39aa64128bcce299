package web

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
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
	action := map[bool]string{true: "default_queue_on", false: "default_queue_off"}[on]
	err = s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		return auditActorOf(r).Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", team),
			map[string]any{"action": action}), s.store.SetDefaultQueueTx(r.Context(), tx, team, on)
	})
	if err != nil {
		return err
	}
	saved(w, r, "/admin/teams", "queue")
	return nil
}
