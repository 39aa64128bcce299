package inbox

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// ReportFilter is what a report covers: the conversations created in [From, To), narrowed to one
// team, channel, agent (the assignee) and category (with its subcategories) when those are set.
type ReportFilter struct {
	From, To   time.Time
	TeamID     int64 // 0: every team
	Channel    Channel
	AgentID    int64 // 0: every assignee
	CategoryID int64 // 0: every category
	// split and spans restrict Where to the live part of a report's plan (reportplan.go).
	split bool
	spans reportPlan
}

// Validate reports a filter whose period does not run forwards as an *ValidationError.
func (f ReportFilter) Validate() error {
	if !f.From.Before(f.To) {
		return invalid("period", "must end after it starts")
	}
	return nil
}

// ReportArgs binds the parameters of a report query: Arg adds one and returns its placeholder.
type ReportArgs struct{ List []any }

// Arg binds x and returns its placeholder ($1, $2, ...).
func (a *ReportArgs) Arg(x any) string {
	a.List = append(a.List, x)
	return "$" + strconv.Itoa(len(a.List))
}

// Narrow is the filter's team, channel, agent and category and v's visibility rule as one SQL
// condition on the conversations aliased as alias, without the period: the backlog and the live
// tiles read conversations of any age. It is "true" when nothing narrows.
func (f ReportFilter) Narrow(v Viewer, alias string, a *ReportArgs) string {
	cond := v.Where(alias, a.Arg)
	if f.TeamID != 0 {
		cond += " AND " + alias + ".team_id = " + a.Arg(f.TeamID)
	}
	if f.Channel != "" {
		cond += " AND " + alias + ".channel = " + a.Arg(string(f.Channel))
	}
	if f.AgentID != 0 {
		cond += " AND " + alias + ".assignee_id = " + a.Arg(f.AgentID)
	}
	if f.CategoryID != 0 {
		p := a.Arg(f.CategoryID)
		cond += " AND " + alias + ".category_id IN (SELECT id FROM categories WHERE id = " + p + " OR parent_id = " + p + ")"
	}
	return cond
}

// Where is Narrow with the period: the conversations created in [From, To) through
// conversations_created_idx. Other packages' reports (workflow's SLA and CSAT figures) use it on
// their joins, so every report applies the same filters and the same visibility rule.
func (f ReportFilter) Where(v Viewer, alias string, a *ReportArgs) string {
	if f.split {
		// The live spans lie within the period.
		return f.spans.liveCreated(alias, f, v, a) + " AND " + f.Narrow(v, alias, a)
	}
	return alias + ".created_at >= " + a.Arg(f.From) + " AND " + alias + ".created_at < " + a.Arg(f.To) +
		" AND " + f.Narrow(v, alias, a)
}

// ReportViewerOf returns whose figures an agent's reports cover: an admin's cover everything;
// a supervisor's (and an agent's) their teams' conversations, those of no team when one of their
// teams is the default queue, and those assigned to them, as an agent's inbox does. It is
// narrower than ViewerOf, which lets supervisors read any conversation.
func (s *Store) ReportViewerOf(ctx context.Context, a Agent) (Viewer, error) {
	if a.Role.AtLeast(RoleAdmin) {
		return Viewer{AgentID: a.ID, All: true}, nil
	}
	v, err := s.ViewerOf(ctx, Agent{ID: a.ID, Role: RoleAgent})
	if err != nil {
		return Viewer{}, fmt.Errorf("inbox: report viewer: %w", err)
	}
	return v, nil
}
