package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
	"github.com/parleyhq/parley/workflow"
)

// breachFilter reads the breach log's filters: from and to (dates or RFC 3339 instants, by
// default the last seven days), policy, team, agent, target, cursor.
func breachFilter(q url.Values, now time.Time) (workflow.BreachFilter, error) {
	f := workflow.BreachFilter{Cursor: q.Get("cursor"), Target: sla.Target(q.Get("target"))}
	var err error
	if f.From, f.To, err = optionalSpan(q); err != nil {
		return f, err
	}
	if f.To.IsZero() {
		f.To = now
	}
	if f.From.IsZero() {
		f.From = f.To.Add(-7 * 24 * time.Hour)
	}
	if f.TeamID, err = optionalID(q.Get("team"), "team"); err != nil {
		return f, err
	}
	if f.PolicyID, err = optionalID(q.Get("policy"), "policy"); err != nil {
		return f, err
	}
	if f.AssigneeID, err = optionalID(q.Get("agent"), "agent"); err != nil {
		return f, err
	}
	return f, nil
}

// breachesView is the breach log page.
type breachesView struct {
	Rows      []workflow.Breach
	Filter    url.Values
	Policies  []workflow.Policy
	Teams     []inbox.Team
	Agents    []inbox.Agent
	Names     map[int64]string
	TeamNames map[int64]string
	Policy    map[int64]string
	Targets   []sla.Target
	From, To  string // the period shown, as dates
	registerLinks
}

// breachesPage is GET /sla/breaches: the SLA breaches of a period, newest first, filtered.
func (p *registerPages) breachesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := breachFilter(q, p.s.now())
	if err != nil {
		return err
	}
	f.Limit = registerPageSize
	page, err := p.s.sla.Breaches(r.Context(), f)
	if err != nil {
		return err
	}
	v := breachesView{Rows: page.Breaches, Filter: q, Targets: []sla.Target{sla.FirstResponse, sla.NextResponse, sla.Resolution},
		From: f.From.UTC().Format(time.DateOnly), To: f.To.Add(-time.Nanosecond).UTC().Format(time.DateOnly)}
	if v.Policies, v.Policy, err = p.policies(r); err != nil {
		return err
	}
	if v.Teams, v.TeamNames, err = p.teams(r); err != nil {
		return err
	}
	if v.Agents, v.Names, err = p.s.agentNames(r); err != nil {
		return err
	}
	v.registerLinks = linksFor("/sla/breaches", q, f.Cursor, page.Next)
	p.s.render(w, r, http.StatusOK, "sla_breaches", registerPage(r, p.s.words(r).t("title.sla_breaches"), "breaches", v))
	return nil
}

// breachesCSV is GET /sla/breaches.csv: every breach the filters select, newest first,
// streamed a page at a time; every cell passes csvSafe.
func (p *registerPages) breachesCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := breachFilter(r.URL.Query(), p.s.now())
	if err != nil {
		return err
	}
	f.Limit = csvPageSize
	_, policies, err := p.policies(r)
	if err != nil {
		return err
	}
	n, err := p.names(r)
	if err != nil {
		return err
	}
	header := p.s.words(r).header("csv.breach_id", "csv.conversation_id", "csv.link", "csv.subject", "csv.target", "csv.policy", "csv.team", "csv.agent",
		"csv.due_at", "csv.breached_at", "csv.met_at", "csv.overdue_minutes", "csv.level")
	fetch := func(cursor string) ([]workflow.Breach, string, error) {
		f.Cursor = cursor
		page, err := p.s.sla.Breaches(r.Context(), f)
		return page.Breaches, page.Next, err
	}
	return streamCSV(p, w, r, "sla-breaches", header, fetch, func(b workflow.Breach) []string {
		met := ""
		if b.MetAt != nil {
			met = b.MetAt.UTC().Format(time.RFC3339)
		}
		return []string{strconv.FormatInt(b.ID, 10), strconv.FormatInt(b.ConversationID, 10),
			p.base + "/inbox/" + strconv.FormatInt(b.ConversationID, 10), b.Subject, string(b.Target),
			policies[deref(b.PolicyID)], n.teams[deref(b.TeamID)], n.agents[deref(b.AssigneeID)],
			b.DueAt.UTC().Format(time.RFC3339), b.BreachedAt.UTC().Format(time.RFC3339), met,
			strconv.FormatFloat(float64(b.OverdueMS)/60000, 'f', 1, 64), strconv.Itoa(b.Level)}
	})
}

// policies lists the SLA policies and their names by id.
func (p *registerPages) policies(r *http.Request) ([]workflow.Policy, map[int64]string, error) {
	ps, err := p.s.sla.Policies(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(ps))
	for _, x := range ps {
		names[x.ID] = x.Name
	}
	return ps, names, nil
}
