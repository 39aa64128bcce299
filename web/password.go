package web

import (
	"errors"
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// passwordView is the data of the password settings page.
type passwordView struct {
	MinLen   int
	MaxBytes int
}

// passwordPolicy is what the forms say of the policy (inbox.CheckPassword).
func passwordPolicy() passwordView {
	return passwordView{MinLen: inbox.MinPasswordLen, MaxBytes: inbox.MaxPasswordBytes}
}

// passwordRoutes mounts the password pages: an agent's own settings (change the password, sign
// out every other session) and the reset flow for those who forgot theirs (resetpages.go).
func (s *Server) passwordRoutes(m *router) {
	s.guard(m, "GET /settings/password", inbox.RoleAgent, s.passwordPage)
	s.guard(m, "POST /settings/password", inbox.RoleAgent, s.changePassword)
	s.guard(m, "POST /settings/sessions/signout-others", inbox.RoleAgent, s.signOutOthers)
	newResetPages(s).routes(m)
}

// passwordNotices are the messages the settings page shows after a change.
var passwordNotices = map[string]string{
	"password": "notice.password.password",
	"sessions": "notice.password.sessions",
}

// passwordPage is GET /settings/password.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	s.renderPassword(w, r, http.StatusOK, s.words(r).t(passwordNotices[r.URL.Query().Get("saved")]), "")
	return nil
}

func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, status int, notice, errMsg string) {
	s.render(w, r, status, "password", page{Title: s.words(r).t("title.password_and_sessions"), Agent: agentFrom(r.Context()), Nav: "settings",
		Notice: notice, Error: errMsg, Body: passwordPolicy()})
}

// changePassword is POST /settings/password: the current password, the new one and its
// repetition. A wrong current password or a new one the policy refuses is 400 and changes nothing.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	next := f.Get("new")
	if next != f.Get("confirm") {
		s.renderPassword(w, r, http.StatusBadRequest, "", s.words(r).t("signin.repetition_differs"))
		return nil
	}
	// A stolen session must not guess the password: wrong ones are throttled like sign-ins.
	a, ip, th := agentFrom(r.Context()), clientIP(r), s.ui.signinFlow.throttle
	if s.throttled(w, r, a.Email, ip, func(msg string) { s.renderPassword(w, r, http.StatusTooManyRequests, "", msg) }) {
		return nil
	}
	err := s.store.ChangePassword(r.Context(), a.ID, f.Get("current"), next, ip)
	switch {
	case errors.Is(err, inbox.ErrWrongPassword):
		th.fail(a.Email, ip)
		s.renderPassword(w, r, http.StatusBadRequest, "", s.words(r).t("settings.password_wrong"))
		return nil
	case errors.Is(err, inbox.ErrInvalid):
		s.renderPassword(w, r, http.StatusBadRequest, "", userMessage(s.words(r), err))
		return nil
	case err != nil:
		return err
	}
	th.succeed(a.Email, ip)
	saved(w, r, "/settings/password", "password")
	return nil
}

// signOutOthers is POST /settings/sessions/signout-others: every session of the agent but this
// one ends.
func (s *Server) signOutOthers(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return errNoSession
	}
	if _, err := s.store.SignOutOtherSessions(r.Context(), agentFrom(r.Context()).ID, c.Value, clientIP(r)); err != nil {
		return err
	}
	saved(w, r, "/settings/password", "sessions")
	return nil
}
