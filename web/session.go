package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// errNoSession means the request carries no valid session cookie.
var errNoSession = errors.New("web: no session")

var (
	errCrossOrigin = &apiError{http.StatusForbidden, "cross_origin", "cross-origin request refused"}
	errRole        = &apiError{http.StatusForbidden, "forbidden", "your role does not allow this"}
)

// sessionAgent returns the agent signed in with the request's session cookie, or errNoSession.
// A state-changing request (not GET, HEAD or OPTIONS) must also come from our own pages: the
// cookie rides along on cross-site requests, so http.CrossOriginProtection checks the browser's
// Sec-Fetch-Site and Origin headers (errCrossOrigin). Bearer-token calls never get here.
func (s *Server) sessionAgent(r *http.Request) (inbox.Agent, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return inbox.Agent{}, errNoSession
	}
	a, _, err := s.store.SessionAgent(r.Context(), c.Value, sessionIdle)
	if errors.Is(err, inbox.ErrNotFound) {
		return inbox.Agent{}, errNoSession
	}
	if err != nil {
		return inbox.Agent{}, err
	}
	if s.ui.cop.Check(r) != nil {
		return inbox.Agent{}, errCrossOrigin
	}
	return a, nil
}

// setSessionCookie hands the browser its session token: HttpOnly (no script reads it),
// SameSite=Lax (not sent on cross-site subrequests), Secure over HTTPS.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.ui.secure || r.TLS != nil})
}

// guard mounts a page (or a form action) that needs a session and at least role min. Without a
// session a page redirects to the sign-in form (a fragment answers 401, and its script reloads);
// with too small a role it answers 403.
func (s *Server) guard(m *router, pattern string, min inbox.Role, fn apiFunc) {
	s.ui.guarded = append(s.ui.guarded, guardedRoute{Pattern: pattern, Min: min})
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		a, err := s.sessionAgent(r)
		switch {
		case errors.Is(err, errNoSession):
			if r.Method == http.MethodGet && !isFragment(r) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, inbox.Agent{}, &apiError{http.StatusUnauthorized, "unauthorized", "please sign in again"})
			return
		case err != nil:
			s.renderError(w, r, inbox.Agent{}, err)
			return
		case !a.Role.AtLeast(min):
			s.renderError(w, r, a, errRole)
			return
		}
		r = r.WithContext(withAgent(r.Context(), a))
		if err := fn(w, r); err != nil {
			s.renderError(w, r, a, err)
		}
	})
}

// guardAPI mounts a JSON route of the UI's own (bearer token or session) that needs role min.
func (s *Server) guardAPI(m *router, pattern string, min inbox.Role, fn apiFunc) {
	s.ui.guarded = append(s.ui.guarded, guardedRoute{Pattern: pattern, Min: min})
	m.Handle(pattern, s.api(func(w http.ResponseWriter, r *http.Request) error {
		if !agentFrom(r.Context()).Role.AtLeast(min) {
			return errRole
		}
		return fn(w, r)
	}))
}

// isFragment reports whether a script asked for part of a page (it sends X-Parley-Fragment).
func isFragment(r *http.Request) bool { return r.Header.Get("X-Parley-Fragment") != "" }

// localPath returns next when it is a path on this site, else fallback: the sign-in form's
// next parameter must not send anyone elsewhere.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return next
}
