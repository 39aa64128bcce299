package web

import (
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// securityView is the admin's sign-in security page: which roles must use two-factor, and
// whether single sign-on is configured.
type securityView struct {
	Roles    []inbox.Role
	Required map[inbox.Role]bool
	SSO      bool
}

// adminSecurity is GET /admin/security.
func (s *Server) adminSecurity(w http.ResponseWriter, r *http.Request) error {
	notice := ""
	if r.URL.Query().Get("saved") == "security" {
		notice = s.words(r).t("notice.security.saved")
	}
	return s.renderSecurity(w, r, notice)
}

func (s *Server) renderSecurity(w http.ResponseWriter, r *http.Request, notice string) error {
	policy, err := s.store.TwoFactorPolicy(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_security", page{Title: s.words(r).t("title.security"), Agent: agentFrom(r.Context()), Nav: "admin",
		Notice: notice, Body: securityView{Roles: allRoles, Required: policy, SSO: s.ui.signinFlow.sso != nil}})
	return nil
}

// saveSecurity is POST /admin/security: a checkbox require_<role> per role. Each change is
// recorded in the audit log; turning a requirement on ends the sessions of that role's agents
// without two-factor, who enrol at their next sign-in.
func (s *Server) saveSecurity(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	a := agentFrom(r.Context())
	actor := inbox.AuditRecord{ActorID: a.ID, Actor: a.Email, SourceIP: clientIP(r)}
	for _, role := range allRoles { // check all before changing any
		if v := r.PostForm.Get("require_" + string(role)); v != "" && v != "on" {
			return badRequest("require_" + string(role) + " must be on or absent")
		}
	}
	for _, role := range allRoles {
		if err := s.store.SetTwoFactorRequired(r.Context(), role, r.PostForm.Get("require_"+string(role)) == "on", actor); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/admin/security?saved=security", http.StatusSeeOther)
	return nil
}
