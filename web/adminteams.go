package web

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// teamsView is the admin page of teams.
type teamsView struct {
	Teams  []teamRow
	Agents []inbox.Agent
	Names  map[int64]string
}

// teamRow is one team on the page with the active agents who are not yet its members, whom
// "Add to team" offers.
type teamRow struct {
	inbox.Team
	Others []inbox.Agent
}

// adminTeams is GET /admin/teams.
func (s *Server) adminTeams(w http.ResponseWriter, r *http.Request) error {
	return s.renderTeams(w, r, http.StatusOK, "")
}

func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	teams, err := s.store.Teams(r.Context())
	if err != nil {
		return err
	}
	agents, names, err := s.agentNames(r)
	if err != nil {
		return err
	}
	rows := make([]teamRow, len(teams))
	for i, t := range teams {
		rows[i] = teamRow{Team: t, Others: nonMembers(agents, t.Members)}
	}
	s.render(w, r, status, "admin_teams", page{Title: s.words(r).t("title.teams"), Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: s.words(r).t(notices[r.URL.Query().Get("saved")]), Error: errMsg, Body: teamsView{Teams: rows, Agents: agents, Names: names}})
	return nil
}

// nonMembers returns the active agents not among members, in the order of agents.
func nonMembers(agents []inbox.Agent, members []int64) []inbox.Agent {
	in := make(map[int64]bool, len(members))
	for _, id := range members {
		in[id] = true
	}
	var out []inbox.Agent
	for _, a := range agents {
		if a.Active && !in[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

// createTeam is POST /admin/teams: a name.
func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		t, err := s.store.CreateTeamTx(r.Context(), tx, r.PostForm.Get("name"), nil)
		return auditActorOf(r).Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", t.ID),
			map[string]any{"action": "created", "name": t.Name}), err
	})
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderTeams(w, r, http.StatusBadRequest, userMessage(s.words(r), err))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/teams", "team")
	return nil
}

// addMember is POST /admin/teams/{id}/members: agent_id joins the team.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	team, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	agent, err := formID(r, "agent_id")
	if err != nil {
		return err
	}
	if err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		return teamMemberAudit(r, team, agent, "member_added"), s.store.AddTeamMemberTx(r.Context(), tx, team, agent)
	}); err != nil {
		return err
	}
	saved(w, r, "/admin/teams", "member")
	return nil
}

// removeMember is POST /admin/teams/{id}/members/{agent}/remove.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	team, err := pathID(r, "id")
	if err != nil {
		return err
	}
	agent, err := pathID(r, "agent")
	if err != nil {
		return err
	}
	if err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		return teamMemberAudit(r, team, agent, "member_removed"), s.store.RemoveTeamMemberTx(r.Context(), tx, team, agent)
	}); err != nil {
		return err
	}
	saved(w, r, "/admin/teams", "member")
	return nil
}

// teamMemberAudit is the audit record of an agent joining or leaving a team.
func teamMemberAudit(r *http.Request, team, agent int64, action string) inbox.AuditRecord {
	return auditActorOf(r).Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", team),
		map[string]any{"action": action, "agent_id": agent})
}
