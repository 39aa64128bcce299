package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// parseFilters reads the dashboard's filters of q into p: team, channel, agent and category
// narrow every report, chart and CSV of the dashboard and the summary API. Ids are positive
// integers, the channel one of the inbox's; empty means no filter.
func parseFilters(q url.Values, p *period) error {
	for _, k := range []string{"team", "agent", "category"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest(k + " must be a positive id")
		}
		switch k {
		case "team":
			p.Team = id
		case "agent":
			p.Agent = id
		default:
			p.Category = id
		}
	}
	if c := q.Get("channel"); c != "" {
		if !slices.Contains(listChannels, inbox.Channel(c)) {
			return badRequest("channel must be one of the channels (email, sms, chat, api, ...)")
		}
		p.Channel = c
	}
	return nil
}

// filter is the report filter of the period.
func (p period) filter() inbox.ReportFilter {
	return inbox.ReportFilter{From: p.From, To: p.To, TeamID: p.Team, Channel: inbox.Channel(p.Channel),
		AgentID: p.Agent, CategoryID: p.Category}
}

// Filtered reports whether any filter narrows the figures.
func (p period) Filtered() bool {
	return p.Team != 0 || p.Agent != 0 || p.Category != 0 || p.Channel != ""
}

// filterQuery adds the period's filters to v.
func (p period) filterQuery(v url.Values) {
	for k, id := range map[string]int64{"team": p.Team, "agent": p.Agent, "category": p.Category} {
		if id != 0 {
			v.Set(k, strconv.FormatInt(id, 10))
		}
	}
	if p.Channel != "" {
		v.Set("channel", p.Channel)
	}
}

// reportViewer is whose figures the request's agent may read: everything for an admin, their
// teams' for a supervisor (inbox.Store.ReportViewerOf).
func (s *Server) reportViewer(ctx context.Context) (inbox.Viewer, error) {
	return s.store.ReportViewerOf(ctx, agentFrom(ctx))
}

// option is one choice of a filter's select.
type option struct {
	Value string
	Label string
}

// filterOptions are the choices of the dashboard's filters: the teams and agents the viewer's
// figures may cover, every category and channel.
type filterOptions struct {
	Teams, Agents, Categories, Channels []option
}

func (s *Server) filterOptions(ctx context.Context, w words, v inbox.Viewer) (filterOptions, error) {
	var o filterOptions
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return o, err
	}
	members := map[int64]bool{}
	for _, t := range teams {
		if !v.All && !slices.Contains(v.TeamIDs, t.ID) {
			continue
		}
		o.Teams = append(o.Teams, option{strconv.FormatInt(t.ID, 10), t.Name})
		for _, m := range t.Members {
			members[m] = true
		}
	}
	agents, err := s.store.Agents(ctx)
	if err != nil {
		return o, err
	}
	for _, a := range agents {
		if v.All || members[a.ID] || a.ID == v.AgentID {
			o.Agents = append(o.Agents, option{strconv.FormatInt(a.ID, 10), a.Name})
		}
	}
	cats, err := s.store.Categories(ctx)
	if err != nil {
		return o, err
	}
	for _, c := range cats {
		o.Categories = append(o.Categories, option{strconv.FormatInt(c.ID, 10), c.Path})
	}
	for _, c := range listChannels {
		o.Channels = append(o.Channels, option{string(c), w.channelName(c)})
	}
	return o, nil
}
