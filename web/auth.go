package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

type agentKey struct{}

// tokenKey carries the API token a request authenticated with (none for a web session), next to
// the agent, so handlers that need only the agent keep using agentFrom.
type tokenKey struct{}

// tokenFrom returns the API token of a request; ok is false for a web session.
func tokenFrom(ctx context.Context) (inbox.APIToken, bool) {
	t, ok := ctx.Value(tokenKey{}).(inbox.APIToken)
	return t, ok
}

// isIntegration reports whether a request authenticated with an integration token.
func isIntegration(ctx context.Context) bool {
	t, ok := tokenFrom(ctx)
	return ok && t.Kind == inbox.TokenIntegration
}

// integrationRoutes are all an integration token may call: feed the inbound API and read who
// it is. Anything else answers errIntegrationOnly.
var integrationRoutes = map[string]bool{"POST /api/v1/inbound": true, "GET /api/v1/me": true}

var errIntegrationOnly = &apiError{http.StatusForbidden, "integration_token",
	"an integration token may only POST /api/v1/inbound and GET /api/v1/me; use an agent token for the rest of the API"}

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

// errSessionExpired answers a request that carries a browser's session cookie which no longer
// opens a session (it expired, or the agent signed out elsewhere): the page asks to sign in
// again, and the text speaks to a person, not to an API client.
var errSessionExpired = &apiError{http.StatusUnauthorized, "session_expired", "Your session expired. Please sign in again."}

// authenticated admits requests with a valid bearer token, or else a web session cookie (see
// sessionAgent), and answers 401 otherwise (an unknown, revoked or expired token; a deactivated
// agent). An integration token is admitted only to integrationRoutes (403 elsewhere).
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
			if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
				writeError(w, r, s.log, errSessionExpired)
				return
			}
			writeError(w, r, s.log, errUnauthenticated)
			return
		}
		agent, tok, err := s.tokens.agent(r.Context(), token)
		if errors.Is(err, inbox.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley", error="invalid_token"`)
			writeError(w, r, s.log, errUnauthenticated)
			return
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if tok.Kind == inbox.TokenIntegration && !integrationRoutes[r.Method+" "+r.URL.Path] {
			writeError(w, r, s.log, errIntegrationOnly)
			return
		}
		ctx := context.WithValue(withAgent(r.Context(), agent), tokenKey{}, tok)
		next.ServeHTTP(w, r.WithContext(ctx))
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
