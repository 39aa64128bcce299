package web

import (
	"context"
	"net/http"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// The API tokens resource: every agent lists, makes and revokes their own agent tokens; an
// admin sees and revokes everyone's and is the only one who makes integration tokens or tokens
// for another agent. Another agent's token answers 404, as if it did not exist.

var (
	errIntegrationByAdmin = &apiError{http.StatusForbidden, "forbidden", "only an admin may create integration tokens"}
	errTokenForOther      = &apiError{http.StatusForbidden, "forbidden", "only an admin may create a token for another agent"}
)

// maxTokenDays bounds a token's lifetime when one is given.
const maxTokenDays = 3650

// tokenRequest is the body of POST /api/v1/tokens.
type tokenRequest struct {
	Name string `json:"name"`
	// Kind is "agent" (default) or "integration" (admins only).
	Kind inbox.TokenKind `json:"kind"`
	// ExpiresInDays ends the token after that many days (1 to 3650); 0 or absent: never.
	ExpiresInDays int `json:"expires_in_days"`
	// AgentID is whom the token acts as: yourself by default; another agent for admins only.
	AgentID int64 `json:"agent_id"`
}

// newTokenFor checks a token request against the caller's rights and turns it into the store's
// input.
func (s *Server) newTokenFor(ctx context.Context, req tokenRequest) (inbox.NewToken, error) {
	me := agentFrom(ctx)
	admin := me.Role.AtLeast(inbox.RoleAdmin)
	nt := inbox.NewToken{AgentID: req.AgentID, Name: req.Name, Kind: req.Kind}
	if nt.AgentID == 0 {
		nt.AgentID = me.ID
	}
	switch {
	case nt.Kind == inbox.TokenIntegration && !admin:
		return nt, errIntegrationByAdmin
	case nt.AgentID != me.ID && !admin:
		return nt, errTokenForOther
	case req.ExpiresInDays < 0 || req.ExpiresInDays > maxTokenDays:
		return nt, badRequest("expires_in_days must be from 1 to 3650 (or 0 for a token that does not expire)")
	case req.ExpiresInDays > 0:
		nt.ExpiresAt = s.now().Add(time.Duration(req.ExpiresInDays) * 24 * time.Hour)
	}
	return nt, nil
}

// tokenOwner is whose tokens the caller may see and revoke: their own, or anyone's (0) for an
// admin.
func tokenOwner(ctx context.Context) int64 {
	a := agentFrom(ctx)
	if a.Role.AtLeast(inbox.RoleAdmin) {
		return 0
	}
	return a.ID
}

// listTokens is GET /api/v1/tokens.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	tokens, err := s.store.Tokens(r.Context(), tokenOwner(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": tokens})
	return nil
}

// createdToken is the answer to POST /api/v1/tokens: the record and, this once, the token.
type createdToken struct {
	inbox.APIToken
	Token string `json:"token"`
}

// createToken is POST /api/v1/tokens: 201 with the token, shown once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	nt, err := s.newTokenFor(r.Context(), req)
	if err != nil {
		return err
	}
	token, rec, err := s.store.IssueToken(r.Context(), nt, auditActorOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, createdToken{APIToken: rec, Token: token})
	return nil
}

// revokeToken is DELETE /api/v1/tokens/{id}: 200 with the revoked token's record.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := s.store.RevokeToken(r.Context(), id, tokenOwner(r.Context()), auditActorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// accountRoutes mounts the API tokens resource (JSON and pages) and the agent lifecycle forms of
// the admin pages.
func (s *Server) accountRoutes(m *router) {
	agent, admin := inbox.RoleAgent, inbox.RoleAdmin
	s.guardAPI(m, "GET /api/v1/tokens", agent, s.listTokens)
	s.guardAPI(m, "POST /api/v1/tokens", agent, s.createToken)
	s.guardAPI(m, "DELETE /api/v1/tokens/{id}", agent, s.revokeToken)
	s.guard(m, "GET /settings/tokens", agent, s.settingsTokens)
	s.guard(m, "POST /settings/tokens", agent, s.settingsCreateToken)
	s.guard(m, "POST /settings/tokens/{id}/revoke", agent, s.settingsRevokeToken)
	s.guard(m, "GET /admin/tokens", admin, s.adminTokens)
	s.guard(m, "POST /admin/tokens", admin, s.adminCreateToken)
	s.guard(m, "POST /admin/tokens/{id}/revoke", admin, s.adminRevokeToken)
	s.guard(m, "POST /admin/agents/{id}/deactivate", admin, s.deactivateAgent)
	s.guard(m, "POST /admin/agents/{id}/activate", admin, s.activateAgent)
}
