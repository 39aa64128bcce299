package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// registerPages are the supervisors' complaint register and SLA breach log: pages, CSV files
// and the register's API. base is the public URL the CSV links start with.
type registerPages struct {
	s    *Server
	base string
}

// registerPageSize is how many rows a page of the register or the breach log shows.
const registerPageSize = 50

// complaintFilter reads the register's filters: stage, category, team, priority, from and to
// (dates or RFC 3339 instants, on when the complaint was received), cursor.
func complaintFilter(q url.Values) (workflow.ComplaintFilter, error) {
	f := workflow.ComplaintFilter{Stage: workflow.Stage(q.Get("stage")), Priority: inbox.Priority(q.Get("priority")), Cursor: q.Get("cursor")}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"category", &f.CategoryID}, {"team", &f.TeamID}} {
		id, err := optionalID(q.Get(p.name), p.name)
		if err != nil {
			return f, err
		}
		if id != nil {
			*p.to = *id
		}
	}
	var err error
	if f.From, f.To, err = optionalSpan(q); err != nil {
		return f, err
	}
	if f.Limit, err = optionalLimit(q.Get("limit")); err != nil {
		return f, err
	}
	return f, nil
}

// complaintsAPI is GET /api/v1/complaints: one keyset page of the register.
func (p *registerPages) complaintsAPI(w http.ResponseWriter, r *http.Request) error {
	f, err := complaintFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := p.s.sla.Complaints(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// complaintsView is the register page.
type complaintsView struct {
	Rows       []workflow.Complaint
	Filter     url.Values
	Stages     []workflow.Stage
	Categories []inbox.Category // the complaint categories (and parents of complaint ones)
	Teams      []inbox.Team
	Priorities []inbox.Priority
	Names      map[int64]string // agents
	TeamNames  map[int64]string
	registerLinks
}

// complaintsPage is GET /complaints: the register, filtered, a page at a time.
func (p *registerPages) complaintsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := complaintFilter(q)
	if err != nil {
		return err
	}
	f.Limit = registerPageSize
	page, err := p.s.sla.Complaints(r.Context(), f)
	if err != nil {
		return err
	}
	v := complaintsView{Rows: page.Complaints, Filter: q, Stages: workflow.Stages(),
		Priorities: []inbox.Priority{inbox.PriorityLow, inbox.PriorityNormal, inbox.PriorityHigh, inbox.PriorityUrgent}}
	cats, err := p.s.store.Categories(r.Context())
	if err != nil {
		return err
	}
	parents := map[int64]bool{}
	for _, c := range cats {
		if c.Complaint && c.ParentID != nil {
			parents[*c.ParentID] = true
		}
	}
	for _, c := range cats {
		if c.Complaint || parents[c.ID] {
			v.Categories = append(v.Categories, c)
		}
	}
	if v.Teams, v.TeamNames, err = p.teams(r); err != nil {
		return err
	}
	if _, v.Names, err = p.s.agentNames(r); err != nil {
		return err
	}
	v.registerLinks = linksFor("/complaints", q, f.Cursor, page.Next)
	p.s.render(w, r, http.StatusOK, "complaints", registerPage(r, p.s.words(r).t("title.complaint_register"), "complaints", v))
	return nil
}

// complaintsCSV is GET /complaints.csv: every complaint the filters select (the cursor is
// ignored), newest first, streamed a page at a time; every cell passes csvSafe.
func (p *registerPages) complaintsCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := complaintFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = csvPageSize
	n, err := p.names(r)
	if err != nil {
		return err
	}
	header := p.s.words(r).header("csv.conversation_id", "csv.link", "csv.subject", "csv.customer", "csv.category", "csv.stage", "csv.received_at", "csv.age_hours",
		"csv.acknowledged_after_min", "csv.in_progress_after_min", "csv.resolved_after_min", "csv.confirmed_at", "csv.status", "csv.priority", "csv.team",
		"csv.assignee", "csv.sla", "csv.resolution_code", "csv.csat")
	fetch := func(cursor string) ([]workflow.Complaint, string, error) {
		f.Cursor = cursor
		page, err := p.s.sla.Complaints(r.Context(), f)
		return page.Complaints, page.Next, err
	}
	return streamCSV(p, w, r, "complaints", header, fetch, func(c workflow.Complaint) []string {
		at := stageAt(c)
		since := func(s workflow.Stage) string {
			if t, ok := at[s]; ok {
				return strconv.FormatFloat(t.Sub(c.ReceivedAt).Minutes(), 'f', 1, 64)
			}
			return ""
		}
		confirmed := ""
		if t, ok := at[workflow.StageConfirmed]; ok {
			confirmed = t.UTC().Format(time.RFC3339)
		}
		csat := ""
		if c.CSAT != nil {
			csat = strconv.Itoa(*c.CSAT)
		}
		return []string{strconv.FormatInt(c.ConversationID, 10), p.base + "/inbox/" + strconv.FormatInt(c.ConversationID, 10),
			c.Subject, c.ContactName, c.Category, string(c.Stage), c.ReceivedAt.UTC().Format(time.RFC3339),
			strconv.FormatFloat(float64(c.AgeMS)/3.6e6, 'f', 1, 64), since(workflow.StageAcknowledged),
			since(workflow.StageInProgress), since(workflow.StageResolved), confirmed, string(c.Status), string(c.Priority),
			n.teams[deref(c.TeamID)], n.agents[deref(c.AssigneeID)], c.SLA, c.ResolutionCode, csat}
	})
}

// stageAt maps the stages a complaint reached to when it reached them.
func stageAt(c workflow.Complaint) map[workflow.Stage]time.Time {
	out := make(map[workflow.Stage]time.Time, len(c.Stages))
	for _, s := range c.Stages {
		out[s.Stage] = s.At
	}
	return out
}

// teams lists the teams and their names by id.
func (p *registerPages) teams(r *http.Request) ([]inbox.Team, map[int64]string, error) {
	teams, err := p.s.store.Teams(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(teams))
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	return teams, names, nil
}

// without is a copy of q without the named keys.
func without(q url.Values, keys ...string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	for _, k := range keys {
		out.Del(k)
	}
	return out
}

// registerPage is a supervisor page of the register family.
func registerPage(r *http.Request, title, nav string, body any) page {
	return page{Title: title, Agent: agentFrom(r.Context()), Nav: nav, Body: body}
}
