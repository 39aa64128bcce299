package emailtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// TokenServer is a fake OAuth2 token endpoint answering refreshes as Google's and Microsoft's
// do: a POST of a form-encoded grant_type=refresh_token with the client's id and secret in the
// form (or HTTP Basic), answered with JSON {access_token, expires_in, token_type}, or with
// {"error": "invalid_grant"} (400) for a refresh token it does not know or revoked and
// {"error": "invalid_client"} (401) for a wrong client. It issues access tokens "access-1",
// "access-2", ... and takes only the latest as valid (Valid), as a mail server checking the
// token would.
type TokenServer struct {
	// ClientID and ClientSecret are the client it knows.
	ClientID, ClientSecret string

	srv *httptest.Server

	mu        sync.Mutex
	refresh   string // the refresh token it accepts
	rotate    bool
	expiresIn int
	issued    int
	access    string // the latest access token; "" once revoked
	refreshes int
	urls      []string
	fail      int // status to answer with (0: answer normally)
	slow      time.Duration
}

// NewTokenServer starts a token endpoint (at any path) that accepts refreshToken; it stops when t
// ends. Access tokens last an hour unless ExpiresIn says otherwise.
func NewTokenServer(t testing.TB, refreshToken string) *TokenServer {
	t.Helper()
	s := &TokenServer{ClientID: "parley-client.apps.example", ClientSecret: "client-secret-42", refresh: refreshToken, expiresIn: 3600}
	s.srv = httptest.NewServer(http.HandlerFunc(s.token))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the token endpoint's URL.
func (s *TokenServer) URL() string { return s.srv.URL + "/token" }

// Client is an HTTP client whose every request reaches this endpoint, whatever host it names
// (https://oauth2.googleapis.com/token, a Microsoft tenant's): the URL it named is kept (URLs).
func (s *TokenServer) Client() *http.Client {
	return &http.Client{Transport: redirect{to: s.srv.URL, s: s}}
}

// URLs are the URLs the Client's requests named, in order.
func (s *TokenServer) URLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.urls...)
}

// ExpiresIn sets the lifetime, in seconds, of the access tokens issued from now on.
func (s *TokenServer) ExpiresIn(seconds int) {
	s.locked(func() { s.expiresIn = seconds })
}

// Rotate makes every refresh answer with a new refresh token and forget the one used, as
// Microsoft's endpoint does.
func (s *TokenServer) Rotate() {
	s.locked(func() { s.rotate = true })
}

// RevokeGrant forgets the refresh token: every refresh is then invalid_grant.
func (s *TokenServer) RevokeGrant() {
	s.locked(func() { s.refresh = "" })
}

// Grant makes rt the refresh token it accepts, as the account's owner granting the app access
// again does.
func (s *TokenServer) Grant(rt string) {
	s.locked(func() { s.refresh = rt })
}

// RevokeAccess makes the latest access token invalid, as a password change does before it
// expires.
func (s *TokenServer) RevokeAccess() {
	s.locked(func() { s.access = "" })
}

// Fail makes every refresh answer with status (a 503 outage); 0 answers normally again.
func (s *TokenServer) Fail(status int) {
	s.locked(func() { s.fail = status })
}

// Slow makes each answer wait d first, which widens the window in which concurrent clients
// could refresh twice.
func (s *TokenServer) Slow(d time.Duration) {
	s.locked(func() { s.slow = d })
}

// Refreshes counts the refresh requests it received, refused ones included.
func (s *TokenServer) Refreshes() (n int) {
	s.locked(func() { n = s.refreshes })
	return n
}

// RefreshToken is the refresh token it accepts now ("" once revoked).
func (s *TokenServer) RefreshToken() (rt string) {
	s.locked(func() { rt = s.refresh })
	return rt
}

// locked runs fn holding the server's lock.
func (s *TokenServer) locked(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// Valid reports whether token is the latest access token issued and not revoked.
func (s *TokenServer) Valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return token != "" && token == s.access
}

// Check is Valid as an OAuthCheck, for the IMAP server and the SMTP sink (which check the user
// themselves).
func (s *TokenServer) Check(_, token string) bool { return s.Valid(token) }

func (s *TokenServer) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.refreshes++
	slow := s.slow
	s.mu.Unlock()
	time.Sleep(slow)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost {
		tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if s.fail != 0 {
		http.Error(w, "unavailable", s.fail)
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the body must be form-encoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case r.PostForm.Get("grant_type") != "refresh_token":
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only refresh_token")
	case id != s.ClientID || secret != s.ClientSecret:
		tokenError(w, http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
	case s.refresh == "" || r.PostForm.Get("refresh_token") != s.refresh:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
	default:
		s.issued++
		s.access = fmt.Sprintf("access-%d", s.issued)
		answer := map[string]any{"access_token": s.access, "expires_in": s.expiresIn, "token_type": "Bearer",
			"scope": "https://mail.google.com/"}
		if s.rotate {
			s.refresh = fmt.Sprintf("%s-rotated-%d", s.refresh, s.issued)
			answer["refresh_token"] = s.refresh
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(answer)
	}
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// redirect sends every request to the token server, keeping the URL it named.
type redirect struct {
	to string
	s  *TokenServer
}

func (rt redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.s.mu.Lock()
	rt.s.urls = append(rt.s.urls, r.URL.String())
	rt.s.mu.Unlock()
	target, err := url.Parse(rt.to)
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = target.Scheme, target.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}
