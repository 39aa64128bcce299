package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// jobsRoutes mounts River's own UI (Config.JobsUI, riverqueue.com/riverui built by cmd with the
// prefix /admin/jobs) for admins: it has no authentication of its own, so every method it
// answers is registered through guard, which asks for an admin's session and, on the methods
// that change something (its retry, cancel and delete of jobs, its pause and resume of queues),
// for a request from our own origin (http.CrossOriginProtection). Without a JobsUI the routes
// do not exist.
func (s *Server) jobsRoutes(m *router, jobs http.Handler) {
	if jobs == nil {
		return
	}
	serve := func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		jobs.ServeHTTP(w, r)
		return nil
	}
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch} {
		s.guard(m, method+" /admin/jobs/", inbox.RoleAdmin, serve)
	}
}
