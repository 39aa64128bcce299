package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// agentsView is the admin page of agents.
type agentsView struct {
	Agents []inbox.Agent
	Roles  []inbox.Role
	Form   inbox.NewAgent
}

var allRoles = []inbox.Role{inbox.RoleAgent, inbox.RoleSupervisor, inbox.RoleAdmin}

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
	s.render(w, r, status, "admin_agents", page{Title: "Agents", Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: notices[r.URL.Query().Get("saved")], Error: errMsg, Body: agentsView{Agents: agents, Roles: allRoles, Form: form}})
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
			return s.renderAgents(w, r, http.StatusBadRequest, na, "Please check capacity: a number from 1 to 1000.")
		}
		na.Capacity = n
	}
	_, err := s.store.CreateAgent(r.Context(), na)
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderAgents(w, r, http.StatusBadRequest, na, userMessage(err))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/agents", "agent")
	return nil
}

// changeRole is POST /admin/agents/{id}/role. An admin cannot demote themselves, so there is
// always one admin left to undo a mistake.
func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	role := inbox.Role(r.PostForm.Get("role"))
	if id == agentFrom(r.Context()).ID && role != inbox.RoleAdmin {
		return s.renderAgents(w, r, http.StatusBadRequest, inbox.NewAgent{Role: inbox.RoleAgent}, "You cannot take away your own admin role.")
	}
	if err := s.store.SetRole(r.Context(), id, role); err != nil {
		return err
	}
	saved(w, r, "/admin/agents", "role")
	return nil
}
