package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// exportCSV is GET /dashboard/export/{table}: one dashboard table as CSV, for the same period
// and filter parameters as the dashboard. Tables: channels, categories, daily, times, agents,
// sla, csat, csat_cross, backlog, returns.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) error {
	table := strings.TrimSuffix(r.PathValue("table"), ".csv")
	p, err := parsePeriod(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	rows, ok := csvTables[table]
	if !ok {
		return &apiError{http.StatusNotFound, "not_found", "no such table"}
	}
	d, err := s.dashboardData(r.Context(), p)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("parley-%s-%s-%s.csv", table, p.FromDate(), p.ToDate())
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	for _, row := range rows(d) {
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvTables turn a report into rows, the header first.
var csvTables = map[string]func(reportData) [][]string{
	"channels": func(d reportData) [][]string {
		rep := d.rep
		return countRows("channel", rep.Channels)
	},
	"categories": func(d reportData) [][]string {
		rep := d.rep
		return countRows("category", rep.Categories)
	},
	"daily": func(d reportData) [][]string {
		rep := d.rep
		head := []string{"day", "total"}
		for _, c := range listChannels {
			head = append(head, string(c))
		}
		out := [][]string{head}
		for _, d := range rep.Daily {
			row := []string{d.Day.Format(time.DateOnly), fmtInt(d.Total)}
			for _, c := range listChannels {
				row = append(row, fmtInt(d.ByChannel[c]))
			}
			out = append(out, row)
		}
		return out
	},
	"sla":        func(d reportData) [][]string { return complianceRows(d.q) },
	"csat":       func(d reportData) [][]string { return csatRows(d.q) },
	"csat_cross": func(d reportData) [][]string { return crossRows(d.q) },
	"times": func(d reportData) [][]string {
		rep := d.rep
		return [][]string{{"measure", "conversations", "median_seconds", "p90_seconds"},
			spreadRow("first_response", rep.FirstResponse), spreadRow("resolution", rep.Resolution),
			spreadRow("first_response_business", d.q.FirstResponse), spreadRow("resolution_business", d.q.Resolution)}
	},
	"returns": func(d reportData) [][]string {
		rep := d.rep
		return [][]string{{"measure", "resolved", "count", "percent"},
			{"first_contact_resolution", fmtInt(rep.FirstContact.Resolved), fmtInt(rep.FirstContact.Single),
				strings.TrimSuffix(percent(rep.FirstContact.Single, rep.FirstContact.Resolved), "%")},
			{"repeat_contact", fmtInt(rep.Repeat.Resolved), fmtInt(rep.Repeat.Returned),
				strings.TrimSuffix(percent(rep.Repeat.Returned, rep.Repeat.Resolved), "%")}}
	},
	"backlog": func(d reportData) [][]string {
		out := [][]string{{"day", "open_at_end"}}
		for _, b := range d.rep.Backlog {
			out = append(out, []string{b.Day.Format(time.DateOnly), fmtInt(b.Open)})
		}
		return out
	},
	"agents": func(d reportData) [][]string {
		rep := d.rep
		out := [][]string{{"agent_id", "agent", "assigned", "resolved", "replies", "median_first_response_seconds",
			"median_resolution_seconds", "sla_targets", "sla_breached", "csat_answers", "csat_average",
			"handled", "median_handle_seconds", "p90_handle_seconds"}}
		for _, a := range agentRows(rep.Agents, d.q) {
			out = append(out, []string{fmtInt(a.AgentID), a.Name, fmtInt(a.Assigned), fmtInt(a.Resolved), fmtInt(a.Replies),
				seconds(a.FirstResponse.Median), seconds(a.Resolution.Median), fmtInt(a.Quality.Targets),
				fmtInt(a.Quality.Breached), fmtInt(a.Quality.Answered), strconv.FormatFloat(a.Quality.Average, 'f', 2, 64),
				fmtInt(a.Handle.N), seconds(a.Handle.Median), seconds(a.Handle.P90)})
		}
		return out
	},
}

func countRows(label string, counts []inbox.Count) [][]string {
	out := [][]string{{label, "conversations"}}
	for _, c := range counts {
		out = append(out, []string{c.Label, fmtInt(c.N)})
	}
	return out
}

func spreadRow(name string, s inbox.Spread) []string {
	return []string{name, fmtInt(s.N), seconds(s.Median), seconds(s.P90)}
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d.Seconds()), 10) }

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}
