package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley/inbox"
)

// OIDCConfig configures single sign-on with an OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (PARLEY_OIDC_ISSUER); its discovery document is read
	// at the first sign-in, not at start, so a provider that is down does not stop the server.
	Issuer       string
	ClientID     string
	ClientSecret string
	// JITRole, when set, creates an agent of that role for a verified email no agent has
	// (PARLEY_OIDC_JIT_ROLE); when empty such a sign-in is refused.
	JITRole inbox.Role
}

// ssoCookie binds a single sign-on request to the browser that started it (its state).
const (
	ssoCookie = "parley_sso"
	ssoTTL    = 10 * time.Minute
)

// sso is the single sign-on client: the provider, discovered once.
type sso struct {
	cfg       OIDCConfig
	publicURL string
	now       func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
}

func newSSO(cfg Config) *sso {
	if cfg.OIDC == nil || cfg.OIDC.Issuer == "" {
		return nil
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	return &sso{cfg: *cfg.OIDC, publicURL: strings.TrimRight(cfg.PublicURL, "/"), now: now}
}

// client returns the OAuth 2 configuration for r (its redirect URL is this server's callback)
// and the ID token verifier, discovering the provider on first use.
func (o *sso) client(ctx context.Context, r *http.Request) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		// Every sign-on waits on this lock: a provider that does not answer must not hold it.
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(dctx, o.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("web: sso: discover %s: %w", o.cfg.Issuer, err)
		}
		o.provider = p
	}
	base := o.publicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	conf := &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: o.provider.Endpoint(),
		RedirectURL: base + "/login/sso/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	return conf, o.provider.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.now}), nil
}

// randomString is n random bytes, base64url.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("web: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var errSSOOff = &apiError{http.StatusNotFound, "not_found", "single sign-on is not configured"}

// ssoStart is GET /login/sso: a fresh state, nonce and PKCE verifier, kept server-side (the state
// also in a cookie of this browser), then off to the provider.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) {
	o := s.ui.signinFlow.sso
	if o == nil {
		s.renderError(w, r, inbox.Agent{}, errSSOOff)
		return
	}
	conf, _, err := o.client(r.Context(), r)
	if err != nil {
		s.log.Error("sso", "err", err)
		s.renderLogin(w, r, http.StatusBadGateway, loginView{Next: "/inbox"}, s.words(r).t("signin.sso_unreachable"))
		return
	}
	state, err1 := randomString(32)
	nonce, err2 := randomString(32)
	if err := errors.Join(err1, err2); err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	next := localPath(r.URL.Query().Get("next"), "/inbox")
	if err := s.store.CreateOIDCLogin(r.Context(), state, inbox.OIDCLogin{Nonce: nonce, Verifier: verifier, Next: next}, ssoTTL); err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: state, Path: "/login/sso", MaxAge: int(ssoTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.ui.secure || r.TLS != nil})
	http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// ssoClaims are the ID token claims sign-in reads. email_verified is a boolean in the standard,
// a string at some providers; either must say true.
type ssoClaims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	Name          string `json:"name"`
}

func (c ssoClaims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// ssoCallback is GET /login/sso/callback: the state must match this browser's cookie and a live
// request (used once), the code is exchanged with the PKCE verifier, the ID token must verify
// and carry the request's nonce and a verified email, which must be an agent's (or JIT makes
// one). Then sign-in goes on as after a password: two-factor when on or required.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	o := s.ui.signinFlow.sso
	if o == nil {
		s.renderError(w, r, inbox.Agent{}, errSSOOff)
		return
	}
	ip := clientIP(r)
	q := r.URL.Query()
	tr := s.words(r)
	refuse := func(status int, reason, errMsg, email string) {
		s.audit(r, inbox.AuditRecord{Kind: inbox.AuditSignInFailed, Actor: email, SourceIP: ip,
			Data: map[string]any{"method": "sso", "reason": reason}})
		s.renderLogin(w, r, status, loginView{Next: "/inbox"}, errMsg)
	}
	state := q.Get("state")
	c, err := r.Cookie(ssoCookie)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		refuse(http.StatusBadRequest, "state", tr.t("signin.sso_foreign_state"), "")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Path: "/login/sso", MaxAge: -1, HttpOnly: true})
	login, err := s.store.TakeOIDCLogin(r.Context(), state)
	if errors.Is(err, inbox.ErrNotFound) {
		refuse(http.StatusBadRequest, "state", tr.t("signin.sso_expired"), "")
		return
	}
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	if e := q.Get("error"); e != "" {
		refuse(http.StatusUnauthorized, "provider: "+inbox.CutRunes(e, 100), tr.t("signin.sso_provider_refused", "detail", inbox.CutRunes(q.Get("error_description")+" ("+e+")", 300)), "")
		return
	}
	claims, err := s.ssoIdentity(r, o, q.Get("code"), login)
	if err != nil {
		s.log.Warn("sso refused", "err", err)
		refuse(http.StatusUnauthorized, "token", tr.t("signin.sso_unverified_answer"), "")
		return
	}
	email := strings.ToLower(strings.TrimSpace(claims.Email))
	if email == "" || !claims.verified() {
		refuse(http.StatusForbidden, "unverified email", tr.t("signin.sso_no_verified_email"), email)
		return
	}
	a, err := s.store.AgentByEmail(r.Context(), email)
	if errors.Is(err, inbox.ErrNotFound) {
		if o.cfg.JITRole == "" {
			refuse(http.StatusForbidden, "unknown email", tr.t("signin.sso_unknown_email", "email", email), email)
			return
		}
		a, err = s.createJITAgent(r, o.cfg.JITRole, email, claims.Name, ip)
	}
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	if !a.Active {
		refuse(http.StatusForbidden, "deactivated", tr.t("signin.sso_deactivated"), email)
		return
	}
	s.afterFirstFactor(w, r, a, login.Next, "sso", ip)
}

// ssoIdentity exchanges code (with the request's PKCE verifier) and verifies the ID token: its
// signature, issuer, audience, expiry and nonce.
func (s *Server) ssoIdentity(r *http.Request, o *sso, code string, login inbox.OIDCLogin) (ssoClaims, error) {
	var claims ssoClaims
	if code == "" {
		return claims, errors.New("no code")
	}
	conf, verifier, err := o.client(r.Context(), r)
	if err != nil {
		return claims, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		return claims, fmt.Errorf("exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return claims, errors.New("no id_token in the token response")
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return claims, fmt.Errorf("verify: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(login.Nonce)) != 1 {
		return claims, errors.New("nonce does not match")
	}
	if err := idt.Claims(&claims); err != nil {
		return claims, fmt.Errorf("claims: %w", err)
	}
	return claims, nil
}

// createJITAgent makes an agent of role for a verified single sign-on email, with a random
// password no one knows (they sign in through the provider), and records it.
func (s *Server) createJITAgent(r *http.Request, role inbox.Role, email, name, ip string) (inbox.Agent, error) {
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	password, err := randomString(32)
	if err != nil {
		return inbox.Agent{}, err
	}
	// The creation is recorded once, in its transaction, with "sso" as the actor.
	return s.store.CreateAgentBy(r.Context(), inbox.NewAgent{Email: email, Name: inbox.CutRunes(name, 100), Role: role, Password: password},
		inbox.AuditActor{Name: "sso", IP: ip})
}
