package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// challengeCookie carries the half-signed-in token between the password (or single sign-on) and
// the second factor. It opens no session: only the /login/code and /login/enrol steps read it.
const challengeCookie = "parley_signin"

// signin is the sign-in machinery: the throttle and, when configured, single sign-on.
type signin struct {
	throttle *throttle
	sso      *sso // nil without PARLEY_OIDC_ISSUER
}

func newSignin(s *Server, cfg Config) *signin {
	return &signin{throttle: newThrottle(s.now, cfg.TrustedProxies), sso: newSSO(cfg)}
}

// signinRoutes mounts the steps of sign-in after the password, single sign-on, the agent's own
// two-factor settings and the admin's two-factor policy.
func (s *Server) signinRoutes(m *router) {
	m.HandleFunc("GET /login/code", s.codeForm)
	m.HandleFunc("POST /login/code", s.code)
	m.HandleFunc("GET /login/enrol", s.enrolForm)
	m.HandleFunc("POST /login/enrol", s.enrol)
	m.HandleFunc("GET /login/sso", s.ssoStart)
	m.HandleFunc("GET /login/sso/callback", s.ssoCallback)

	s.guard(m, "GET /settings/2fa", inbox.RoleAgent, s.twoFactorSettings)
	s.guard(m, "POST /settings/2fa/setup", inbox.RoleAgent, s.twoFactorSetup)
	s.guard(m, "POST /settings/2fa/confirm", inbox.RoleAgent, s.twoFactorConfirm)
	s.guard(m, "POST /settings/2fa/disable", inbox.RoleAgent, s.twoFactorDisable)
	s.guard(m, "GET /admin/security", inbox.RoleAdmin, s.adminSecurity)
	s.guard(m, "POST /admin/security", inbox.RoleAdmin, s.saveSecurity)
}

// loginView is the sign-in form's data.
type loginView struct {
	Email string
	Next  string
	// SSO shows the "Sign in with SSO" button.
	SSO bool
}

// loginForm is GET /login. A signed-in agent goes straight on.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/inbox")
	if _, err := s.sessionAgent(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginView{Next: next}, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView, errMsg string) {
	v.SSO = s.ui.signinFlow.sso != nil
	s.render(w, r, status, "login", page{Title: s.words(r).t("title.sign_in"), Error: errMsg, Body: v})
}

// login is POST /login: email and password from the form, throttled per (email, source address)
// and per source address. With two-factor on (or required) it leads to the second step;
// otherwise it opens a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.signinForm(w, r) {
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	view := loginView{Email: email, Next: localPath(r.PostForm.Get("next"), "/inbox")}
	th := s.ui.signinFlow.throttle
	ip := clientIP(r)
	if s.throttled(w, r, email, ip, func(msg string) { s.renderLogin(w, r, http.StatusTooManyRequests, view, msg) }) {
		return
	}
	agent, err := s.store.Authenticate(r.Context(), email, r.PostForm.Get("password"))
	if errors.Is(err, inbox.ErrBadCredentials) {
		th.fail(email, ip)
		s.audit(r, inbox.AuditRecord{Kind: inbox.AuditSignInFailed, Actor: inbox.CutRunes(email, 254), SourceIP: ip, Data: map[string]any{"method": "password"}})
		s.renderLogin(w, r, http.StatusUnauthorized, view, s.words(r).t("signin.wrong_password"))
		return
	}
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	th.succeed(email, ip)
	s.afterFirstFactor(w, r, agent, view.Next, "password", ip)
}

// signinForm reads a small sign-in form that must come from our own pages (a foreign page
// must not sign a browser in); false when it answered with an error.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, inbox.Agent{}, badRequest("malformed form"))
		return false
	}
	if s.ui.cop.Check(r) != nil {
		s.renderError(w, r, inbox.Agent{}, errCrossOrigin)
		return false
	}
	return true
}

// throttled answers 429 through refuse, with Retry-After, when attempts on account from ip must
// wait, and reports whether it did.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, account, ip string, refuse func(errMsg string)) bool {
	wait := s.ui.signinFlow.throttle.wait(account, ip)
	if wait <= 0 {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	refuse(s.words(r).t("signin.too_many_failures", "wait", s.words(r).duration(wait)))
	return true
}

// afterFirstFactor continues a sign-in whose password (or single sign-on) was right: to the code
// step when the agent has two-factor on, to enrolment when their role requires it and they have
// none, else straight to a session. No session is made before the second factor.
func (s *Server) afterFirstFactor(w http.ResponseWriter, r *http.Request, a inbox.Agent, next, method, ip string) {
	ctx := r.Context()
	st, err := s.store.TOTPStatus(ctx, a.ID)
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	purpose := ""
	if st.Enabled {
		purpose = inbox.ChallengeCode
	} else if required, err := s.store.TwoFactorRequired(ctx, a.Role); err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	} else if required {
		purpose = inbox.ChallengeEnrol
	}
	if purpose == "" {
		s.startSession(w, r, a, next, map[string]any{"method": method}, ip)
		return
	}
	token, err := s.store.CreateChallenge(ctx, inbox.Challenge{AgentID: a.ID, Purpose: purpose, Next: next, Method: method})
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	s.setChallengeCookie(w, r, token, int(inbox.ChallengeTTL.Seconds()))
	http.Redirect(w, r, "/login/"+purpose, http.StatusSeeOther)
}

// startSession signs a fully authenticated agent in: a new session, its cookie, the audit event,
// and on to next.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a inbox.Agent, next string, data map[string]any, ip string) {
	if !s.issueSession(w, r, a, data, ip) {
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// issueSession makes the session and sets its cookie; false when it failed (and was answered).
func (s *Server) issueSession(w http.ResponseWriter, r *http.Request, a inbox.Agent, data map[string]any, ip string) bool {
	token, _, err := s.store.CreateSession(r.Context(), a.ID, sessionTTL, r.UserAgent())
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return false
	}
	s.setSessionCookie(w, r, token, int(sessionTTL.Seconds()))
	s.audit(r, inbox.AuditRecord{Kind: inbox.AuditSignIn, ActorID: a.ID, Actor: a.Email, Target: "agent:" + fmtInt(a.ID),
		SourceIP: ip, Data: data})
	return true
}

// audit records an event; a failure to record is logged, not shown (the sign-in itself stands).
func (s *Server) audit(r *http.Request, rec inbox.AuditRecord) {
	if err := s.store.RecordAudit(r.Context(), rec); err != nil {
		s.log.Error("audit", "kind", rec.Kind, "err", err)
	}
}

// setChallengeCookie hands the browser its half-signed-in token, readable only by /login/*.
func (s *Server) setChallengeCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: token, Path: "/login", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.ui.secure || r.TLS != nil})
}

// logout is POST /logout: the session ends on the server and the cookie is cleared.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.ui.cop.Check(r) != nil {
		s.renderError(w, r, inbox.Agent{}, errCrossOrigin)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.store.DeleteSession(r.Context(), c.Value); err != nil {
			s.renderError(w, r, inbox.Agent{}, err)
			return
		}
	}
	s.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
