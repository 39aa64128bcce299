package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
)

// registerLinks are the links a register page shows under its table: the CSV of everything
// its filters select, the next (older) page and the way back to the newest.
type registerLinks struct {
	CSV    string
	Older  string
	Newest string
}

// linksFor builds a register page's links: path is the page ("/complaints"), q its query,
// cursor the page's own cursor and next the cursor of the page after it ("" when none).
func linksFor(path string, q url.Values, cursor, next string) registerLinks {
	first := without(q, "cursor")
	l := registerLinks{CSV: path + ".csv?" + first.Encode()}
	if next != "" {
		older := without(q, "cursor")
		older.Set("cursor", next)
		l.Older = path + "?" + older.Encode()
	}
	if cursor != "" {
		l.Newest = path + "?" + first.Encode()
	}
	return l
}

// registerNames are the names a register's rows refer to by id.
type registerNames struct {
	teams  map[int64]string
	agents map[int64]string
}

// names reads the team and agent names a register's CSV fills in.
func (p *registerPages) names(r *http.Request) (registerNames, error) {
	var n registerNames
	var err error
	if _, n.teams, err = p.teams(r); err != nil {
		return n, err
	}
	if _, n.agents, err = p.s.agentNames(r); err != nil {
		return n, err
	}
	return n, nil
}

// csvPageSize is how many rows a register's CSV export reads at a time.
const csvPageSize = 500

// streamCSV sends a register's CSV download named name: the header, then fetch's pages of
// rows (fetch takes the cursor, "" for the first page, and returns the rows and the next
// cursor, "" after the last), each row's cells from row, every cell through csvSafe. An error
// on the first page is returned for an error page; a later one can only break the download,
// so it is logged and the response aborted rather than ended whole-looking.
func streamCSV[T any](p *registerPages, w http.ResponseWriter, r *http.Request, name string, header []string,
	fetch func(cursor string) ([]T, string, error), row func(T) []string) error {
	rows, next, err := fetch("")
	if err != nil {
		return err
	}
	cw := p.csvStart(w, name)
	_ = cw.Write(header)
	for {
		for _, x := range rows {
			p.csvRow(cw, row(x)...)
		}
		if !p.csvFlush(w, cw) || next == "" {
			return nil
		}
		if rows, next, err = fetch(next); err != nil {
			p.s.log.Error("csv export", "name", name, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}

// csvStart writes a CSV download's headers and returns its writer.
func (p *registerPages) csvStart(w http.ResponseWriter, name string) *csv.Writer {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="parley-`+name+`-`+p.s.now().UTC().Format("20060102-150405")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return csv.NewWriter(w)
}

// csvRow writes one row, every cell through csvSafe (a hostile subject such as
// "=HYPERLINK(...)" stays text).
func (p *registerPages) csvRow(cw *csv.Writer, cells ...string) {
	for i := range cells {
		cells[i] = csvSafe(cells[i])
	}
	_ = cw.Write(cells)
}

// csvFlush sends what is written; false when the client went away.
func (p *registerPages) csvFlush(w http.ResponseWriter, cw *csv.Writer) bool {
	cw.Flush()
	if cw.Error() != nil {
		return false
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	return true
}
