package web

import (
	"net/http"
)

// reportSummary is GET /api/v1/reports/summary?period=7d (or period=custom&from=&to=, dates,
// to inclusive; team, channel, agent, category filters): the figures of the weekly summary mail
// (workflow.Summary) for any period, with those of the period just before it, of what the
// caller's reports cover (an admin everything, a supervisor their teams).
func (s *Server) reportSummary(w http.ResponseWriter, r *http.Request) error {
	p, err := parsePeriod(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	v, err := s.reportViewer(r.Context())
	if err != nil {
		return err
	}
	sum, err := s.sla.Summary(r.Context(), v, p.filter())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}
