package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// listQuery is the inbox list's state, kept in the URL: view, filters, search and page.
type listQuery struct {
	View    string // mine, unassigned, teams, all
	Status  string // active (new, open, pending), any, or one status (snoozed: the snoozed view)
	Channel string
	Q       string
	Cursor  string
	// DefaultView is the view the inbox opens on without one in the URL: "mine" for agents (as
	// Chatwoot's and Front's inboxes open on the agent's own conversations), "all" for
	// supervisors and admins, who watch the whole queue.
	DefaultView string
}

var (
	listViews    = []string{"mine", "unassigned", "teams", "all"}
	listStatuses = []string{"active", "new", "open", "pending", "snoozed", "resolved", "closed", "any"}
	listChannels = inbox.Channels()
)

func parseListQuery(v url.Values, defaultView string) (listQuery, error) {
	q := listQuery{View: v.Get("view"), Status: v.Get("status"), Channel: v.Get("channel"), Q: v.Get("q"), Cursor: v.Get("cursor"),
		DefaultView: defaultView}
	if q.View == "" {
		q.View = defaultView
	}
	if q.Status == "" {
		q.Status = "active"
	}
	if !slices.Contains(listViews, q.View) {
		return q, badRequest("view must be mine, unassigned, teams or all")
	}
	if !slices.Contains(listStatuses, q.Status) {
		return q, badRequest("status must be active, any or a conversation status")
	}
	if q.Channel != "" && !inbox.Channel(q.Channel).Valid() {
		return q, badRequest("unknown channel " + strconv.Quote(q.Channel))
	}
	if len(q.Q) > 200 {
		return q, badRequest("search is at most 200 characters")
	}
	return q, nil
}

// values is the query without its cursor, with key set to val.
func (q listQuery) values(key, val string) url.Values {
	v := url.Values{}
	set := func(k, x, def string) {
		if k == key {
			x = val
		}
		if x != "" && x != def {
			v.Set(k, x)
		}
	}
	set("view", q.View, q.DefaultView)
	set("status", q.Status, "active")
	set("channel", q.Channel, "")
	set("q", q.Q, "")
	return v
}

// With is the list's URL with one parameter changed (and the first page).
func (q listQuery) With(key, val string) string { return withQuery("/inbox", q.values(key, val)) }

// Open is the URL of a conversation with the list's state kept.
func (q listQuery) Open(id int64) string {
	return withQuery("/inbox/"+strconv.FormatInt(id, 10), q.values("", ""))
}

// More is the URL of the list's next page fragment.
func (q listQuery) More(cursor string) string {
	v := q.values("", "")
	v.Set("cursor", cursor)
	return withQuery("/inbox", v)
}

// Query is the list's query string (without the cursor), for scripts that refetch it.
func (q listQuery) Query() string { return q.values("", "").Encode() }

func withQuery(p string, v url.Values) string {
	if len(v) == 0 {
		return p
	}
	return p + "?" + v.Encode()
}

// conversationQuery turns the list's state into the store's query for this viewer (whose scope
// then limits it to what they may see); teams are the agent's teams, for the "teams" view.
func (v viewer) conversationQuery(q listQuery, teams []int64) inbox.ConversationQuery {
	iq := inbox.ConversationQuery{Channel: inbox.Channel(q.Channel), Text: q.Q, Cursor: q.Cursor}
	switch q.Status {
	case "active":
		iq.Statuses = inbox.ActiveStatuses()
	case "any":
	default:
		iq.Statuses = []inbox.Status{inbox.Status(q.Status)}
	}
	switch q.View {
	case "mine":
		id := v.agent.ID
		iq.AssigneeID = &id
	case "unassigned":
		none := int64(0)
		iq.AssigneeID = &none
	case "teams":
		iq.TeamIDs = append([]int64{}, teams...)
	}
	return iq
}

// listView is the data of the conversation list.
type listView struct {
	Query    listQuery
	Rows     []inbox.ConversationRow
	Next     string
	Names    map[int64]string // agent names by id
	Views    []string
	Statuses []string
	Channels []inbox.Channel
	OpenID   int64 // the conversation shown beside the list
	// SLA is each row's SLA mark (next due instant, or breached); rows without clocks are absent.
	SLA map[int64]*workflow.DueMark
}

func (s *Server) listOf(r *http.Request, v viewer, names map[int64]string) (listView, error) {
	def := "all"
	if !v.agent.Role.AtLeast(inbox.RoleSupervisor) {
		def = "mine"
	}
	q, err := parseListQuery(r.URL.Query(), def)
	if err != nil {
		return listView{}, err
	}
	teams := v.scope.Viewer().TeamIDs
	if q.View == "teams" && v.scope.Viewer().All {
		// A supervisor's viewer needs no teams to see everything; this view does.
		if teams, err = s.store.AgentTeams(r.Context(), v.agent.ID); err != nil {
			return listView{}, err
		}
	}
	res, err := v.scope.ConversationRows(r.Context(), v.conversationQuery(q, teams))
	if err != nil {
		return listView{}, err
	}
	ids := make([]int64, len(res.Rows))
	for i, row := range res.Rows {
		ids[i] = row.ID
	}
	marks, err := s.sla.DueMarks(r.Context(), ids)
	if err != nil {
		return listView{}, err
	}
	return listView{Query: q, Rows: res.Rows, Next: res.Next, Names: names, Views: listViews,
		Statuses: listStatuses, Channels: listChannels, SLA: marks}, nil
}

// agentNames maps every agent's id to their name.
func (s *Server) agentNames(r *http.Request) ([]inbox.Agent, map[int64]string, error) {
	agents, err := s.store.Agents(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(agents))
	for _, a := range agents {
		names[a.ID] = a.Name
	}
	return agents, names, nil
}

// inboxPage is GET /inbox: the list of conversations (and, with partial=rows, only its rows,
// for the script that keeps it live or loads the next page).
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	return s.inboxWith(w, r, 0)
}
