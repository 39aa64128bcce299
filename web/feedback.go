package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// feedbackRoutes mounts the supervisors' feedback page (survey answers, the service-recovery
// follow-ups and their report), its CSV file and API, and the follow-ups' close action.
func (s *Server) feedbackRoutes(m *router, cfg Config) {
	sup := inbox.RoleSupervisor
	p := &registerPages{s: s, base: strings.TrimRight(cfg.PublicURL, "/")}
	s.guard(m, "GET /feedback", sup, p.feedbackPage)
	s.guard(m, "GET /feedback.csv", sup, p.feedbackCSV)
	s.guardAPI(m, "GET /api/v1/feedback", sup, p.feedbackAPI)
	s.guardAPI(m, "GET /api/v1/followups", sup, s.followupsAPI)
	s.guardAPI(m, "POST /api/v1/followups/{id}/close", sup, s.closeFollowupAPI)
	s.guard(m, "POST /followups/{id}/close", sup, s.closeFollowupForm)
}

// scoreBands are the score filter's choices besides an exact score.
var scoreBands = []struct{ Value, Label string }{{"1-2", "1-2 (unhappy)"}, {"3", "3"}, {"4-5", "4-5 (happy)"},
	{"1", "1 only"}, {"2", "2 only"}, {"4", "4 only"}, {"5", "5 only"}}

// parseScore reads a score filter: "" (any), an exact score "2" or a range "1-2".
func parseScore(v string) (int, int, error) {
	if v == "" {
		return 0, 0, nil
	}
	lo, hi, isRange := strings.Cut(v, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || a < 1 || b > 5 || a > b {
		return 0, 0, badRequest(`score must be 1 to 5, or a range such as "1-2"`)
	}
	return a, b, nil
}

// feedbackFilter reads the feedback filters: score, channel, team, agent, category, from and to
// (dates or RFC 3339 instants, on when the customer answered), cursor, limit.
func feedbackFilter(q url.Values) (workflow.FeedbackFilter, error) {
	f := workflow.FeedbackFilter{Channel: inbox.Channel(q.Get("channel")), Cursor: q.Get("cursor")}
	var err error
	if f.MinScore, f.MaxScore, err = parseScore(q.Get("score")); err != nil {
		return f, err
	}
	if f.Channel != "" && !f.Channel.Valid() {
		return f, badRequest("channel is not a known channel")
	}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"team", &f.TeamID}, {"agent", &f.AgentID}, {"category", &f.CategoryID}} {
		id, err := optionalID(q.Get(p.name), p.name)
		if err != nil {
			return f, err
		}
		if id != nil {
			*p.to = *id
		}
	}
	if f.From, f.To, err = optionalSpan(q); err != nil {
		return f, err
	}
	if f.Limit, err = optionalLimit(q.Get("limit")); err != nil {
		return f, err
	}
	return f, nil
}

// feedbackAPI is GET /api/v1/feedback: one keyset page of survey answers.
func (p *registerPages) feedbackAPI(w http.ResponseWriter, r *http.Request) error {
	f, err := feedbackFilter(r.URL.Query())
	if err != nil {
		return err
	}
	v, err := p.s.viewerOf(r)
	if err != nil {
		return err
	}
	page, err := p.s.sla.Feedback(r.Context(), v.scope.Viewer(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// feedbackView is the feedback page.
type feedbackView struct {
	Rows       []workflow.Feedback
	Filter     url.Values
	Scores     []struct{ Value, Label string }
	Channels   []inbox.Channel
	Categories []inbox.Category
	Teams      []inbox.Team
	Agents     []inbox.Agent
	Names      map[int64]string
	TeamNames  map[int64]string
	Followups  []workflow.Followup
	Report     workflow.FollowupReport
	Outcomes   []workflow.RecoveryOutcome
	Threshold  int
	Now        time.Time
	CSV        string
	Older      string
	Newest     string
}

// feedbackPage is GET /feedback: the latest survey answers, filtered, a page at a time; the
// follow-ups (open first) and how service recovery went over the same period.
func (p *registerPages) feedbackPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := feedbackFilter(q)
	if err != nil {
		return err
	}
	f.Limit = registerPageSize
	v, err := p.s.viewerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	viewer := v.scope.Viewer()
	page, err := p.s.sla.Feedback(ctx, viewer, f)
	if err != nil {
		return err
	}
	fv := feedbackView{Rows: page.Answers, Filter: q, Scores: scoreBands, Channels: inbox.Channels(),
		Outcomes: workflow.Outcomes(), Now: p.s.now()}
	if fv.Followups, err = p.s.sla.Followups(ctx, viewer, workflow.FollowupFilter{Limit: 50}); err != nil {
		return err
	}
	if fv.Report, err = p.s.sla.FollowupStats(ctx, viewer, f.From, f.To); err != nil {
		return err
	}
	set, err := p.s.sla.Settings(ctx)
	if err != nil {
		return err
	}
	fv.Threshold = set.RecoveryThreshold
	if fv.Categories, err = p.s.store.Categories(ctx); err != nil {
		return err
	}
	if fv.Teams, fv.TeamNames, err = p.teams(r); err != nil {
		return err
	}
	if fv.Agents, fv.Names, err = p.s.agentNames(r); err != nil {
		return err
	}
	fv.CSV = "/feedback.csv?" + without(q, "cursor").Encode()
	if page.Next != "" {
		next := without(q, "cursor")
		next.Set("cursor", page.Next)
		fv.Older = "/feedback?" + next.Encode()
	}
	if f.Cursor != "" {
		fv.Newest = "/feedback?" + without(q, "cursor").Encode()
	}
	p.s.render(w, r, http.StatusOK, "feedback", registerPage(r, p.s.words(r).t("title.feedback"), "feedback", fv))
	return nil
}

// feedbackCSV is GET /feedback.csv: every answer the filters select (the cursor is ignored),
// newest first, streamed a page at a time; every cell passes csvSafe.
func (p *registerPages) feedbackCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := feedbackFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Cursor, f.Limit = "", 500
	v, err := p.s.viewerOf(r)
	if err != nil {
		return err
	}
	viewer := v.scope.Viewer()
	page, err := p.s.sla.Feedback(r.Context(), viewer, f)
	if err != nil {
		return err
	}
	_, teams, err := p.teams(r)
	if err != nil {
		return err
	}
	_, names, err := p.s.agentNames(r)
	if err != nil {
		return err
	}
	cw := p.csvStart(w, "feedback")
	_ = cw.Write(p.s.words(r).header("csv.answered_at", "csv.score", "csv.comment", "csv.conversation_id", "csv.link", "csv.subject", "csv.customer", "csv.agent",
		"csv.category", "csv.channel", "csv.team", "csv.followup"))
	for {
		for _, a := range page.Answers {
			fu := ""
			if a.FollowupStatus != nil {
				fu = string(*a.FollowupStatus)
			}
			p.csvRow(cw, a.AnsweredAt.UTC().Format(time.RFC3339), strconv.Itoa(a.Score), a.Comment,
				strconv.FormatInt(a.ConversationID, 10), p.base+"/inbox/"+strconv.FormatInt(a.ConversationID, 10), a.Subject,
				a.ContactName, names[deref(a.AgentID)], a.Category, string(a.Channel), teams[deref(a.TeamID)], fu)
		}
		if !p.csvFlush(w, cw) || page.Next == "" {
			return nil
		}
		f.Cursor = page.Next
		if page, err = p.s.sla.Feedback(r.Context(), viewer, f); err != nil {
			p.s.log.Error("feedback export", "err", err)
			panic(http.ErrAbortHandler) // half a file is sent with a 200: break it rather than end it whole-looking
		}
	}
}
