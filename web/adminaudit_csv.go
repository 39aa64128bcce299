package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// auditCSV is GET /admin/audit.csv: every event matching the page's filters (the cursor is
// ignored), newest first, streamed a page of the log at a time so that a long log never sits
// in memory. Every cell passes csvSafe, so a hostile actor such as "=HYPERLINK(...)" stays text.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) error {
	_, q, err := parseAuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	q.Cursor, q.Limit = "", inbox.MaxAuditPage
	page, err := s.store.AuditLog(r.Context(), q)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="parley-audit-`+s.now().UTC().Format("20060102-150405")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	flusher, _ := w.(http.Flusher)
	_ = cw.Write(s.words(r).header("csv.id", "csv.at", "csv.kind", "csv.actor_id", "csv.actor", "csv.target", "csv.source_ip", "csv.data"))
	for {
		for _, rec := range page.Records {
			row := []string{strconv.FormatInt(rec.ID, 10), rec.At.UTC().Format(time.RFC3339Nano), rec.Kind,
				strconv.FormatInt(rec.ActorID, 10), rec.Actor, rec.Target, rec.SourceIP, details(rec.Data)}
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			_ = cw.Write(row)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return nil // the client went away; the status is long sent
		}
		if flusher != nil {
			flusher.Flush()
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
		if page, err = s.store.AuditLog(r.Context(), q); err != nil {
			// Half the file is sent with a 200: abort the response, so the client sees a broken
			// download rather than a file that looks whole.
			s.log.Error("audit export", "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}
