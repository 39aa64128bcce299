package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// tokensView is the API tokens page: an agent's own under /settings/tokens, everyone's under
// /admin/tokens.
type tokensView struct {
	Tokens []inbox.APIToken
	// Created is the token just made, shown this once.
	Created *createdToken
	// Admin is the admin page: it lists every agent's tokens and may make integration tokens
	// and tokens for other agents (Agents).
	Admin  bool
	Agents []inbox.Agent
	// Action is where the page's forms post: /settings/tokens or /admin/tokens.
	Action string
	// Lifetimes are the expiry choices, in days.
	Lifetimes []int
}

// tokenNotices are what the tokens pages say after a redirect.
var tokenNotices = map[string]string{"revoked": "notice.tokens.revoked"}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, admin bool, created *createdToken, errMsg string) error {
	me := agentFrom(r.Context())
	v := tokensView{Created: created, Admin: admin, Action: "/settings/tokens", Lifetimes: []int{30, 90, 365}}
	owner := me.ID
	title, nav := s.words(r).t("title.tokens"), "settings"
	if admin {
		owner, v.Action, title, nav = 0, "/admin/tokens", s.words(r).t("title.admin_tokens"), "admin"
		agents, err := s.store.Agents(r.Context())
		if err != nil {
			return err
		}
		v.Agents = agents
	}
	tokens, err := s.store.Tokens(r.Context(), owner)
	if err != nil {
		return err
	}
	v.Tokens = tokens
	if created != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, status, "tokens", page{Title: title, Agent: me, Nav: nav,
		Notice: s.words(r).t(tokenNotices[r.URL.Query().Get("saved")]), Error: errMsg, Body: v})
	return nil
}

// settingsTokens is GET /settings/tokens.
func (s *Server) settingsTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, false, nil, "")
}

// adminTokens is GET /admin/tokens.
func (s *Server) adminTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, true, nil, "")
}

// settingsCreateToken is POST /settings/tokens: name, expires_days.
func (s *Server) settingsCreateToken(w http.ResponseWriter, r *http.Request) error {
	return s.createTokenForm(w, r, false)
}

// adminCreateToken is POST /admin/tokens: name, expires_days, agent_id, kind.
func (s *Server) adminCreateToken(w http.ResponseWriter, r *http.Request) error {
	return s.createTokenForm(w, r, true)
}

// createTokenForm makes a token from a page's form and shows it once; bad input shows the page
// again with a message (400).
func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request, admin bool) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	req := tokenRequest{Name: f.Get("name")}
	if admin {
		req.Kind = inbox.TokenKind(f.Get("kind"))
		if v := f.Get("agent_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return s.renderTokens(w, r, http.StatusBadRequest, admin, nil, s.words(r).t("tokens.choose_agent"))
			}
			req.AgentID = id
		}
	}
	if v := f.Get("expires_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.renderTokens(w, r, http.StatusBadRequest, admin, nil, s.words(r).t("tokens.check_expiry"))
		}
		req.ExpiresInDays = n
	}
	nt, err := s.newTokenFor(r.Context(), req)
	if err == nil {
		var token string
		var rec inbox.APIToken
		token, rec, err = s.store.IssueToken(r.Context(), nt, auditActorOf(r))
		if err == nil {
			return s.renderTokens(w, r, http.StatusOK, admin, &createdToken{APIToken: rec, Token: token}, "")
		}
	}
	var ae *apiError
	if errors.As(err, &ae) || errors.Is(err, inbox.ErrInvalid) {
		status, _ := statusOf(err)
		return s.renderTokens(w, r, status, admin, nil, formMessage(s.words(r), err))
	}
	return err
}

// formMessage is what a page says about a refused change.
func formMessage(w words, err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.msg + "."
	}
	return userMessage(w, err)
}

// settingsRevokeToken is POST /settings/tokens/{id}/revoke: one of the agent's own tokens.
func (s *Server) settingsRevokeToken(w http.ResponseWriter, r *http.Request) error {
	return s.revokeTokenForm(w, r, "/settings/tokens", agentFrom(r.Context()).ID)
}

// adminRevokeToken is POST /admin/tokens/{id}/revoke: anyone's token.
func (s *Server) adminRevokeToken(w http.ResponseWriter, r *http.Request) error {
	return s.revokeTokenForm(w, r, "/admin/tokens", 0)
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request, back string, owner int64) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeToken(r.Context(), id, owner, auditActorOf(r)); err != nil {
		return err
	}
	saved(w, r, back, "revoked")
	return nil
}
