package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Sign-in policy.
const (
	sessionCookie = "parley_session"
	sessionTTL    = 7 * 24 * time.Hour // a session ends a week after sign-in
	sessionIdle   = 24 * time.Hour     // or after a day unused
)

// ui is the browser side of the server: sign-in sessions, pages and their templates, static
// files and the agents' presence frames.
type ui struct {
	views      *views
	static     *staticFiles
	cop        *http.CrossOriginProtection
	secure     bool // cookies are Secure: PARLEY_PUBLIC_URL is https
	signinFlow *signin
	presence   *presence
	// guarded lists every page and UI route with the least role it admits; the role tests walk it.
	guarded []guardedRoute
}

// guardedRoute is a route and the least role that may use it.
type guardedRoute struct {
	Pattern string
	Min     inbox.Role
}

func newUI(s *Server, cfg Config) *ui {
	return &ui{
		views:      mustViews(s.now, cfg.Sandbox != nil, mustCatalogs()),
		static:     mustStatic(),
		cop:        http.NewCrossOriginProtection(),
		secure:     strings.HasPrefix(strings.ToLower(cfg.PublicURL), "https://"),
		signinFlow: newSignin(s, cfg),
		presence:   newPresence(s, cfg.Relay),
	}
}

// uiRoutes mounts the pages, their fragments and the UI's own API routes, each behind the role
// it needs.
func (s *Server) uiRoutes(m *router) {
	m.Handle("GET /static/{file...}", s.ui.static)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	})
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.logout)

	agent, sup, admin := inbox.RoleAgent, inbox.RoleSupervisor, inbox.RoleAdmin
	s.guard(m, "GET /inbox", agent, s.inboxPage)
	s.guard(m, "GET /inbox/{id}", agent, s.conversationPage)
	s.guardAPI(m, "GET /api/v1/canned", agent, s.listCanned)

	s.guard(m, "GET /dashboard", sup, s.dashboard)
	s.guard(m, "GET /dashboard/export/{table}", sup, s.exportCSV)
	s.guardAPI(m, "GET /api/v1/reports/summary", sup, s.reportSummary)
	s.guardAPI(m, "GET /api/v1/reports", sup, s.reportsAPI)
	s.guardAPI(m, "GET /api/v1/dashboard/live", sup, s.dashboardLive)

	s.guard(m, "GET /admin", admin, func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/admin/agents", http.StatusSeeOther)
		return nil
	})
	s.guard(m, "GET /admin/agents", admin, s.adminAgents)
	s.guard(m, "POST /admin/agents", admin, s.createAgent)
	s.guard(m, "POST /admin/agents/{id}", admin, s.editAgent)
	s.guard(m, "POST /admin/agents/{id}/role", admin, s.changeRole)
	s.guard(m, "GET /admin/teams", admin, s.adminTeams)
	s.guard(m, "POST /admin/teams", admin, s.createTeam)
	s.guard(m, "POST /admin/teams/{id}", admin, s.renameTeam)
	s.guard(m, "POST /admin/teams/{id}/delete", admin, s.deleteTeam)
	s.guard(m, "POST /admin/teams/{id}/members", admin, s.addMember)
	s.guard(m, "POST /admin/teams/{id}/members/{agent}/remove", admin, s.removeMember)
	s.guard(m, "POST /admin/teams/{id}/default-queue", admin, s.setDefaultQueue)
	s.guard(m, "GET /admin/inboxes", admin, s.adminInboxes)
	s.guard(m, "GET /admin/canned", admin, s.adminCanned)
	s.guard(m, "POST /admin/canned", admin, s.saveCanned)
	s.guard(m, "POST /admin/canned/{id}/delete", admin, s.deleteCanned)
	s.guard(m, "GET /admin/rules", admin, s.adminRules)
	s.guard(m, "GET /admin/sla", admin, s.adminSLA)
}
