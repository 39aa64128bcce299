package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

type agentKey struct{}

// agentFrom returns the authenticated agent of a request.
func agentFrom(ctx context.Context) inbox.Agent {
	a, _ := ctx.Value(agentKey{}).(inbox.Agent)
	return a
}

// withAgent returns ctx carrying the authenticated agent.
func withAgent(ctx context.Context, a inbox.Agent) context.Context {
	return context.WithValue(ctx, agentKey{}, a)
}

var errUnauthenticated = &apiError{http.StatusUnauthorized, "unauthorized", "missing or invalid API token: send Authorization: Bearer <token>"}

// authenticated admits requests with a valid bearer token, or else a web session cookie (see
// sessionAgent), and answers 401 otherwise.
func (s *Server) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			agent, err := s.sessionAgent(r)
			if err == nil {
				next.ServeHTTP(w, r.WithContext(withAgent(r.Context(), agent)))
				return
			}
			if !errors.Is(err, errNoSession) {
				writeError(w, r, s.log, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
			writeError(w, r, s.log, errUnauthenticated)
			return
		}
		agent, err := s.tokens.agent(r.Context(), token)
		if errors.Is(err, inbox.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley", error="invalid_token"`)
			writeError(w, r, s.log, errUnauthenticated)
			return
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withAgent(r.Context(), agent)))
	})
}

// bearer extracts the token of an Authorization: Bearer header. Browsers cannot set headers on
// a WebSocket, so the events socket also accepts ?access_token= .
func bearer(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return "", false
		}
		return strings.TrimSpace(token), true
	}
	if r.URL.Path == "/api/v1/events" {
		if t := r.URL.Query().Get("access_token"); t != "" {
			return t, true
		}
	}
	return "", false
}
