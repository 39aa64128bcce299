package web

import (
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// loginView is the sign-in form's data.
type loginView struct {
	Email string
	Next  string
}

// loginForm is GET /login. A signed-in agent goes straight on.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/inbox")
	if _, err := s.sessionAgent(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", page{Title: "Sign in", Body: loginView{Next: next}})
}

// login is POST /login: email and password from the form, limited per email and per client
// address, then a new session and its cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, inbox.Agent{}, badRequest("malformed form"))
		return
	}
	if s.ui.cop.Check(r) != nil {
		s.renderError(w, r, inbox.Agent{}, errCrossOrigin)
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	view := loginView{Email: email, Next: localPath(r.PostForm.Get("next"), "/inbox")}
	fail := func(status int, msg string) {
		s.render(w, r, status, "login", page{Title: "Sign in", Error: msg, Body: view})
	}
	ip := clientIP(r)
	if wait := max(s.ui.emailLimit.wait("email:"+email), s.ui.ipLimit.wait("ip:"+ip)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		fail(http.StatusTooManyRequests, "Too many failed sign-ins. Try again in "+formatDuration(wait)+".")
		return
	}
	agent, err := s.store.Authenticate(r.Context(), email, r.PostForm.Get("password"))
	if errors.Is(err, inbox.ErrBadCredentials) {
		s.ui.emailLimit.fail("email:" + email)
		s.ui.ipLimit.fail("ip:" + ip)
		fail(http.StatusUnauthorized, "Wrong email or password.")
		return
	}
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	s.ui.emailLimit.reset("email:" + email)
	token, _, err := s.store.CreateSession(r.Context(), agent.ID, sessionTTL, r.UserAgent())
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	s.setSessionCookie(w, r, token, int(sessionTTL.Seconds()))
	http.Redirect(w, r, view.Next, http.StatusSeeOther)
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

// clientIP is the address the request came from (the proxy's, behind one).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
