package web

import (
	"net/http"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// reportJSON is GET /api/v1/reports: the dashboard's reports of a period as JSON.
type reportJSON struct {
	From                  time.Time        `json:"from"`
	To                    time.Time        `json:"to"`
	Conversations         int64            `json:"conversations"`
	Channels              []countJSON      `json:"channels"`
	Categories            []countJSON      `json:"categories"`
	FirstResponse         spreadSecs       `json:"first_response"`
	Resolution            spreadSecs       `json:"resolution"`
	FirstResponseBusiness spreadSecs       `json:"first_response_business"`
	ResolutionBusiness    spreadSecs       `json:"resolution_business"`
	FirstContact          firstContactJSON `json:"first_contact"`
	Repeat                repeatJSON       `json:"repeat_contact"`
	Backlog               []backlogJSON    `json:"backlog"`
	Agents                []agentJSON      `json:"agents"`
	CSATCross             []crossJSON      `json:"csat_cross"`
}

type countJSON struct {
	Label         string `json:"label"`
	Conversations int64  `json:"conversations"`
}

// spreadSecs is an inbox.Spread in whole seconds.
type spreadSecs struct {
	N      int64 `json:"n"`
	Median int64 `json:"median_seconds"`
	P90    int64 `json:"p90_seconds"`
}

func secsOf(s inbox.Spread) spreadSecs {
	return spreadSecs{N: s.N, Median: int64(s.Median / time.Second), P90: int64(s.P90 / time.Second)}
}

type firstContactJSON struct {
	Resolved int64 `json:"resolved"`
	Single   int64 `json:"single_reply_not_reopened"`
}

type repeatJSON struct {
	Resolved int64 `json:"resolved"`
	Returned int64 `json:"returned"`
}

type backlogJSON struct {
	Day  string `json:"day"`
	Open int64  `json:"open"`
}

type agentJSON struct {
	AgentID       int64      `json:"agent_id"`
	Name          string     `json:"name"`
	Assigned      int64      `json:"assigned"`
	Replies       int64      `json:"replies"`
	Resolved      int64      `json:"resolved"`
	FirstResponse spreadSecs `json:"first_response"`
	Resolution    spreadSecs `json:"resolution"`
	Handle        spreadSecs `json:"handle"`
	SLATargets    int64      `json:"sla_targets"`
	SLABreached   int64      `json:"sla_breached"`
	CSATAnswers   int64      `json:"csat_answers"`
	CSATAverage   float64    `json:"csat_average"`
}

type crossJSON struct {
	Category  string  `json:"category"`
	Channel   string  `json:"channel"`
	TeamID    int64   `json:"team_id"`
	Team      string  `json:"team"`
	AgentID   int64   `json:"agent_id"`
	Agent     string  `json:"agent"`
	SLAMet    bool    `json:"sla_met"`
	Answers   int64   `json:"answers"`
	Average   float64 `json:"average"`
	Satisfied int64   `json:"satisfied"`
}

// reportsAPI is GET /api/v1/reports with the dashboard's period and filter parameters: its
// reports as JSON, of what the caller's reports cover (an admin everything, a supervisor
// their teams).
func (s *Server) reportsAPI(w http.ResponseWriter, r *http.Request) error {
	_, d, err := s.requestedReports(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reportOf(d))
	return nil
}

func reportOf(d reportData) reportJSON {
	rep, q := d.rep, d.q
	out := reportJSON{From: rep.From.UTC(), To: rep.To.UTC(), Channels: countsJSON(rep.Channels), Categories: countsJSON(rep.Categories),
		FirstResponse: secsOf(rep.FirstResponse), Resolution: secsOf(rep.Resolution),
		FirstResponseBusiness: secsOf(q.FirstResponse), ResolutionBusiness: secsOf(q.Resolution),
		FirstContact: firstContactJSON{rep.FirstContact.Resolved, rep.FirstContact.Single},
		Repeat:       repeatJSON{rep.Repeat.Resolved, rep.Repeat.Returned},
		Backlog:      []backlogJSON{}, Agents: []agentJSON{}, CSATCross: []crossJSON{}}
	for _, c := range rep.Channels {
		out.Conversations += c.N
	}
	for _, b := range rep.Backlog {
		out.Backlog = append(out.Backlog, backlogJSON{Day: b.Day.Format(time.DateOnly), Open: b.Open})
	}
	for _, a := range agentRows(rep.Agents, q) {
		out.Agents = append(out.Agents, agentJSON{AgentID: a.AgentID, Name: a.Name, Assigned: a.Assigned, Replies: a.Replies,
			Resolved: a.Resolved, FirstResponse: secsOf(a.FirstResponse), Resolution: secsOf(a.Resolution), Handle: secsOf(a.Handle),
			SLATargets: a.Quality.Targets, SLABreached: a.Quality.Breached, CSATAnswers: a.Quality.Answered, CSATAverage: a.Quality.Average})
	}
	for _, x := range q.Cross {
		out.CSATCross = append(out.CSATCross, crossOf(x))
	}
	return out
}

func crossOf(x workflow.CrossCSAT) crossJSON {
	return crossJSON{Category: x.Category, Channel: string(x.Channel), TeamID: x.TeamID, Team: x.Team, AgentID: x.AgentID,
		Agent: x.Agent, SLAMet: x.SLAMet, Answers: x.Answered, Average: x.Average, Satisfied: x.Satisfied}
}

func countsJSON(cs []inbox.Count) []countJSON {
	out := make([]countJSON, len(cs))
	for i, c := range cs {
		out[i] = countJSON{Label: c.Label, Conversations: c.N}
	}
	return out
}
