package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// period is the span a dashboard reports on: a preset ending now, or whole UTC days; with the
// dashboard's filters (0 or "": none).
type period struct {
	Key      string // 7d, 30d, 90d or custom
	From, To time.Time
	Team     int64
	Channel  string
	Agent    int64
	Category int64
}

var periodPresets = map[string]time.Duration{"1d": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "90d": 90 * 24 * time.Hour}

// parsePeriod reads period (a preset) or from and to (dates, to inclusive), at most a year,
// and the filters (parseFilters).
func parsePeriod(q url.Values, now time.Time) (period, error) {
	p, err := parseSpan(q, now)
	if err != nil {
		return p, err
	}
	return p, parseFilters(q, &p)
}

func parseSpan(q url.Values, now time.Time) (period, error) {
	key := q.Get("period")
	if key == "" {
		key = "7d"
	}
	if d, ok := periodPresets[key]; ok {
		return period{Key: key, From: now.Add(-d), To: now}, nil
	}
	if key != "custom" {
		return period{}, badRequest("period must be 1d, 7d, 30d, 90d or custom")
	}
	from, err1 := time.Parse(time.DateOnly, q.Get("from"))
	to, err2 := time.Parse(time.DateOnly, q.Get("to"))
	if err1 != nil || err2 != nil {
		return period{}, badRequest("from and to must be dates like 2026-11-01")
	}
	to = to.AddDate(0, 0, 1)
	if !from.Before(to) || to.Sub(from) > 366*24*time.Hour {
		return period{}, badRequest("the period must run forwards and span at most a year")
	}
	return period{Key: key, From: from, To: to}, nil
}

// Query is the period and its filters as URL parameters, for export links.
func (p period) Query() string {
	v := url.Values{"period": {p.Key}}
	if p.Key == "custom" {
		v.Set("from", p.From.Format(time.DateOnly))
		v.Set("to", p.To.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	p.filterQuery(v)
	return v.Encode()
}

// Export is the URL of one table's CSV for this period.
func (p period) Export(table string) string {
	return "/dashboard/export/" + table + ".csv?" + p.Query()
}

// FromDate and ToDate fill the custom period's date inputs.
func (p period) FromDate() string { return p.From.UTC().Format(time.DateOnly) }

// ToDate is the last day of the period.
func (p period) ToDate() string { return p.To.UTC().Add(-time.Nanosecond).Format(time.DateOnly) }

// dashboardView is the supervisor dashboard.
type dashboardView struct {
	Period   period
	Presets  []string
	Report   inbox.Report
	Total    int64
	Channels barChart
	Cats     barChart
	Daily    columnChart
	Quality  workflow.Quality
	CSAT     barChart
	Agents   []agentRow
	Labels   map[sla.Target]string
	// Live is the present moment: the tiles the script refreshes from /api/v1/dashboard/live.
	Live liveFigures
	// Names maps team and agent ids to names for the live board's groups, as JSON.
	Names string
	// Scope says whose conversations the figures cover: "" for every one (an admin), "teams"
	// for a supervisor's teams, "none" for a supervisor of no team (who is told why it is empty).
	Scope string
	// Options are the filters' choices; Backlog and CSATByCategory the charts of those reports.
	Options        filterOptions
	Backlog        barChart
	CSATByCategory barChart
}

// dashboard is GET /dashboard: the live tiles and SLA board (refreshed by its script from the
// API) and the period's reports with their charts.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	p, d, err := s.requestedReports(r)
	if err != nil {
		return err
	}
	rep := d.rep
	wd := s.words(r)
	v := dashboardView{Period: p, Presets: []string{"1d", "7d", "30d", "90d"}, Report: rep,
		Channels: newBarChart(rep.Channels, wd.channelLabel), Cats: newBarChart(rep.Categories, wd.categoryLabel),
		Daily: newColumnChart(wd, rep.Daily), Quality: d.q, CSAT: csatChart(wd, d.q.CSAT), Agents: agentRows(rep.Agents, d.q),
		Labels: targetLabels(wd), Backlog: backlogChart(wd, rep.Backlog), CSATByCategory: csatCategoryChart(wd, d.q.Cross)}
	switch {
	case d.viewer.All:
	case len(d.viewer.TeamIDs) == 0:
		v.Scope = "none"
	default:
		v.Scope = "teams"
	}
	if v.Options, err = s.filterOptions(r.Context(), wd, d.viewer); err != nil {
		return err
	}
	if v.Names, err = s.boardNames(r.Context()); err != nil {
		return err
	}
	if v.Live, err = s.liveOf(r.Context(), r); err != nil {
		return err
	}
	for _, c := range rep.Channels {
		v.Total += c.N
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: s.words(r).t("title.dashboard"), Agent: agentFrom(r.Context()), Nav: "dashboard", Body: v})
	return nil
}

// reportData is what the dashboard and its CSV exports read: the inbox's volumes and times
// and workflow's SLA compliance and CSAT.
type reportData struct {
	viewer inbox.Viewer
	rep    inbox.Report
	q      workflow.Quality
}

// requestedReports reads the period and filters of the request (a 400 when they do not parse)
// and the reports they select.
func (s *Server) requestedReports(r *http.Request) (period, reportData, error) {
	p, err := parsePeriod(r.URL.Query(), s.now())
	if err != nil {
		return p, reportData{}, err
	}
	d, err := s.dashboardData(r.Context(), p)
	return p, d, err
}

// dashboardData reads the period's reports as the request's agent may see them
// (reportViewer), narrowed by the period's filters.
func (s *Server) dashboardData(ctx context.Context, p period) (reportData, error) {
	v, err := s.reportViewer(ctx)
	if err != nil {
		return reportData{}, err
	}
	rep, err := s.store.As(v).Report(ctx, p.filter())
	if err != nil {
		return reportData{}, err
	}
	q, err := s.sla.Report(ctx, v, p.filter())
	if err != nil {
		return reportData{}, err
	}
	return reportData{viewer: v, rep: rep, q: q}, nil
}

// boardNames is {"teams": {id: name}, "agents": {id: name}} as JSON, for the SLA board's groups.
func (s *Server) boardNames(ctx context.Context) (string, error) {
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return "", err
	}
	agents, err := s.store.Agents(ctx)
	if err != nil {
		return "", err
	}
	names := map[string]map[int64]string{"teams": {}, "agents": {}}
	for _, t := range teams {
		names["teams"][t.ID] = t.Name
	}
	for _, a := range agents {
		names["agents"][a.ID] = a.Name
	}
	b, err := json.Marshal(names)
	return string(b), err
}

// channelLabel names a channel's bar.
func (w words) channelLabel(s string) string { return w.channelName(inbox.Channel(s)) }

// categoryLabel names a category's bar; conversations without one are "Uncategorized".
func (w words) categoryLabel(s string) string {
	if s == "" {
		return w.t("dashboard.uncategorized")
	}
	return s
}
