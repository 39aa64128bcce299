package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// agentsView is the admin page of agents.
type agentsView struct {
	Agents []inbox.Agent
	Roles  []inbox.Role
	Form   inbox.NewAgent
}

var allRoles = []inbox.Role{inbox.RoleAgent, inbox.RoleSupervisor, inbox.RoleAdmin}

// agentNotice is the key of what the agents page says after a change.
func agentNotice(saved string) string {
	switch saved {
	case "deactivated":
		return "notice.admin.agent_deactivated"
	case "activated":
		return "notice.admin.agent_activated"
	}
	return notices[saved]
}

// adminAgents is GET /admin/agents.
func (s *Server) adminAgents(w http.ResponseWriter, r *http.Request) error {
	return s.renderAgents(w, r, http.StatusOK, inbox.NewAgent{Role: inbox.RoleAgent}, "")
}

func (s *Server) renderAgents(w http.ResponseWriter, r *http.Request, status int, form inbox.NewAgent, errMsg string) error {
	agents, err := s.store.Agents(r.Context())
	if err != nil {
		return err
	}
	form.Password = ""
	notice := agentNotice(r.URL.Query().Get("saved"))
	s.render(w, r, status, "admin_agents", page{Title: s.words(r).t("title.agents"), Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: s.words(r).t(notice), Error: errMsg, Body: agentsView{Agents: agents, Roles: allRoles, Form: form}})
	return nil
}

// createAgent is POST /admin/agents: email, name, role, password.
func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	na := inbox.NewAgent{Email: f.Get("email"), Name: f.Get("name"), Role: inbox.Role(f.Get("role")), Password: f.Get("password")}
	if v := f.Get("capacity"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return s.renderAgents(w, r, http.StatusBadRequest, na, s.words(r).t("admin.agents.check_capacity"))
		}
		na.Capacity = n
	}
	_, err := s.store.CreateAgentBy(r.Context(), na, auditActorOf(r))
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderAgents(w, r, http.StatusBadRequest, na, existsMessage(s.words(r), err, s.words(r).t("admin.agents.email_exists")))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/agents", "agent")
	return nil
}

// changeRole is POST /admin/agents/{id}/role. An admin cannot demote themselves, nor anyone the
// last active admin, so there is always an admin left to undo a mistake (400, 409).
func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	err = s.store.SetAgentRole(r.Context(), id, inbox.Role(r.PostForm.Get("role")), auditActorOf(r))
	return s.agentChanged(w, r, err, "role")
}

// editAgent is POST /admin/agents/{id}: the agent's name and capacity (inbox.SetAgentProfile).
// Their email, how they sign in, stays.
func (s *Server) editAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("capacity")))
	if err != nil {
		return s.renderAgents(w, r, http.StatusBadRequest, inbox.NewAgent{Role: inbox.RoleAgent},
			s.words(r).t("admin.agents.refused_capacity"))
	}
	err = s.store.SetAgentProfile(r.Context(), id, inbox.AgentProfile{Name: r.PostForm.Get("name"), Capacity: capacity}, auditActorOf(r))
	return s.agentChanged(w, r, err, "agent_saved")
}

// deactivateAgent is POST /admin/agents/{id}/deactivate: the agent is signed out everywhere at
// once and their open conversations go back to their teams' queues. Not oneself (400), not the
// last active admin (409).
func (s *Server) deactivateAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.store.DeactivateAgent(r.Context(), id, auditActorOf(r))
	return s.agentChanged(w, r, err, "deactivated")
}

// activateAgent is POST /admin/agents/{id}/activate.
func (s *Server) activateAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.agentChanged(w, r, s.store.ActivateAgent(r.Context(), id, auditActorOf(r)), "activated")
}

// agentChanged answers an agent form: back to the list with a notice, or the list again with
// the reason a change was refused (400 invalid, 409 conflict).
func (s *Server) agentChanged(w http.ResponseWriter, r *http.Request, err error, key string) error {
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		status, _ := statusOf(err)
		return s.renderAgents(w, r, status, inbox.NewAgent{Role: inbox.RoleAgent}, agentMessage(s.words(r), err))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/agents", key)
	return nil
}

// agentMessage says why an agent change was refused, without the store's prefixes.
func agentMessage(w words, err error) string {
	var ve *inbox.ValidationError
	if errors.As(err, &ve) {
		return w.t("admin.agents.refused", "reason", ve.Reason)
	}
	if errors.Is(err, inbox.ErrConflict) {
		return w.t("admin.agents.last_admin")
	}
	return userMessage(w, err)
}
