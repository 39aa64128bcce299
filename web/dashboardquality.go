package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// targetLabels name the SLA targets on the dashboard.
func targetLabels(w words) map[sla.Target]string {
	out := map[sla.Target]string{}
	for _, t := range []sla.Target{sla.FirstResponse, sla.NextResponse, sla.Resolution} {
		out[t] = w.name("target", string(t), string(t))
	}
	return out
}

// agentRow is one line of the dashboard's agent table: their work and their SLA and CSAT.
type agentRow struct {
	inbox.AgentStats
	Quality workflow.AgentQuality
}

// SLA is the share of the agent's decided targets met, or a dash.
func (a agentRow) SLA() string {
	if a.Quality.Targets == 0 {
		return "—"
	}
	return percent(a.Quality.Targets-a.Quality.Breached, a.Quality.Targets)
}

// CSAT is the agent's average score, or a dash.
func (a agentRow) CSAT() string {
	if a.Quality.Answered == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a.Quality.Average)
}

func agentRows(stats []inbox.AgentStats, q workflow.Quality) []agentRow {
	out := make([]agentRow, len(stats))
	for i, a := range stats {
		out[i] = agentRow{AgentStats: a, Quality: q.Agents[a.AgentID]}
	}
	return out
}

// percent formats met of total as a whole percentage ("83%"), a dash when total is zero.
func percent(met, total int64) string {
	if total == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*float64(met)/float64(total), 'f', 0, 64) + "%"
}

// csatChart is the distribution of scores as bars, 5 at the top.
func csatChart(w words, c workflow.CSAT) barChart {
	counts := make([]inbox.Count, 0, 5)
	for s := 5; s >= 1; s-- {
		counts = append(counts, inbox.Count{Label: strconv.Itoa(s), N: c.Scores[s-1]})
	}
	ch := newBarChart(counts, func(s string) string { return s + " ★" })
	for i := range ch.Bars {
		ch.Bars[i].Class = "score-" + counts[i].Label
	}
	if c.Answered == 0 {
		ch.Label = w.t("dashboard.chart.no_answers")
	}
	return ch
}

// complianceRows is the SLA compliance table as CSV rows, the header first.
func complianceRows(q workflow.Quality) [][]string {
	out := [][]string{{"target", "met", "breached", "total", "compliance_percent"}}
	for _, c := range append(q.Compliance, workflow.Compliance{Target: "all", Met: q.Overall.Met, Breached: q.Overall.Breached}) {
		out = append(out, []string{string(c.Target), fmtInt(c.Met), fmtInt(c.Breached), fmtInt(c.Total()),
			strconv.FormatFloat(c.Percent(), 'f', 1, 64)})
	}
	return out
}

// csatRows is the CSAT distribution as CSV rows, then the average and the count.
func csatRows(q workflow.Quality) [][]string {
	out := [][]string{{"score", "answers"}}
	for s := 5; s >= 1; s-- {
		out = append(out, []string{strconv.Itoa(s), fmtInt(q.CSAT.Scores[s-1])})
	}
	return append(out, []string{"average", strconv.FormatFloat(q.CSAT.Average, 'f', 2, 64)},
		[]string{"answered", fmtInt(q.CSAT.Answered)})
}

// backlogChart is the open count at each day's end as bars, one a day.
func backlogChart(w words, days []inbox.DayOpen) barChart {
	counts := make([]inbox.Count, len(days))
	for i, d := range days {
		counts[i] = inbox.Count{Label: w.day(d.Day), N: d.Open}
	}
	ch := newBarChart(counts, func(s string) string { return s })
	ch.Label = w.t("dashboard.chart.backlog")
	return ch
}

// csatCategoryChart is the share of satisfied answers (4 or 5) by category, in percent.
func csatCategoryChart(w words, cross []workflow.CrossCSAT) barChart {
	type tally struct{ answered, satisfied int64 }
	by := map[string]*tally{}
	var order []string
	for _, x := range cross {
		t := by[x.Category]
		if t == nil {
			t = &tally{}
			by[x.Category] = t
			order = append(order, x.Category)
		}
		t.answered += x.Answered
		t.satisfied += x.Satisfied
	}
	counts := make([]inbox.Count, len(order))
	for i, c := range order {
		counts[i] = inbox.Count{Label: c, N: 100 * by[c].satisfied / by[c].answered}
	}
	ch := newBarChart(counts, w.categoryLabel)
	ch.Label = w.t("dashboard.chart.satisfied_by_category")
	if len(counts) == 0 {
		ch.Label = w.t("dashboard.chart.no_answers")
	}
	return ch
}

// crossRows is the CSAT cross table as CSV rows, the header first.
func crossRows(q workflow.Quality) [][]string {
	out := [][]string{{"category", "channel", "team_id", "team", "agent_id", "agent", "sla_met", "answers",
		"average", "satisfied", "satisfied_percent"}}
	for _, x := range q.Cross {
		out = append(out, []string{x.Category, string(x.Channel), fmtInt(x.TeamID), x.Team, fmtInt(x.AgentID), x.Agent,
			strconv.FormatBool(x.SLAMet), fmtInt(x.Answered), strconv.FormatFloat(x.Average, 'f', 2, 64),
			fmtInt(x.Satisfied), strings.TrimSuffix(percent(x.Satisfied, x.Answered), "%")})
	}
	return out
}
