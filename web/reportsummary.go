package web

import (
	"net/http"
)

// reportSummary is GET /api/v1/reports/summary?period=7d (or period=custom&from=&to=, dates,
// to inclusive): the figures of the weekly summary mail (workflow.Summary) for any period, with
// those of the period just before it.
func (s *Server) reportSummary(w http.ResponseWriter, r *http.Request) error {
	p, err := parsePeriod(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	sum, err := s.sla.Summary(r.Context(), p.From, p.To)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}
