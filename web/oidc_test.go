package web

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// fakeIdP is an OpenID provider in the test process: discovery, JWKS, an authorization endpoint
// that approves at once, and a token endpoint that checks the code, redirect URI, client
// credentials and PKCE verifier and returns an RS256-signed ID token.
type fakeIdP struct {
	t        *testing.T
	srv      *httptest.Server
	key      *rsa.PrivateKey
	now      func() time.Time
	clientID string
	secret   string
	redirect string // set once the relying party's URL is known

	mu     sync.Mutex
	grants map[string]grant
	// What the next ID token says.
	email    string
	verified any
	badNonce bool
}

type grant struct{ nonce, challenge string }

func newFakeIdP(t *testing.T, now func() time.Time) *fakeIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeIdP{t: t, key: key, now: now, clientID: "parley-test", secret: "s3cret", grants: map[string]grant{}, verified: true}
	m := http.NewServeMux()
	m.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	m.HandleFunc("GET /jwks", p.jwks)
	m.HandleFunc("GET /authorize", p.authorize)
	m.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(m)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeIdP) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize",
		"token_endpoint": p.srv.URL + "/token", "jwks_uri": p.srv.URL + "/jwks", "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (p *fakeIdP) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": b64(p.key.N.Bytes()), "e": b64(big.NewInt(int64(p.key.E)).Bytes())}}})
}

func (p *fakeIdP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.clientID || q.Get("redirect_uri") != p.redirect || q.Get("response_type") != "code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		!strings.Contains(q.Get("scope"), "openid") {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code, _ := randomString(16)
	p.mu.Lock()
	p.grants[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	p.mu.Unlock()
	http.Redirect(w, r, p.redirect+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (p *fakeIdP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	g, found := p.grants[r.PostForm.Get("code")]
	delete(p.grants, r.PostForm.Get("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if id != p.clientID || secret != p.secret || !found || r.PostForm.Get("redirect_uri") != p.redirect ||
		r.PostForm.Get("grant_type") != "authorization_code" || b64(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	nonce := g.nonce
	if p.badNonce {
		nonce = "not-the-nonce"
	}
	now := p.now()
	claims := map[string]any{"iss": p.srv.URL, "sub": "user-" + p.email, "aud": p.clientID, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": nonce, "email": p.email, "email_verified": p.verified, "name": "Jo Single"}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": p.sign(claims)})
}

// sign makes a compact JWS (RS256) of claims.
func (p *fakeIdP) sign(claims map[string]any) string {
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	input := b64(head) + "." + b64(body)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		p.t.Fatal(err)
	}
	return input + "." + b64(sig)
}

// ssoEnv is a server with single sign-on through a fake provider.
func ssoEnv(t *testing.T, jit inbox.Role) (*uiEnv, *fakeIdP) {
	t.Helper()
	e := newUIEnv(t)
	p := newFakeIdP(t, e.clock)
	e.serveWith(t, func(c *Config) {
		c.OIDC = &OIDCConfig{Issuer: p.srv.URL, ClientID: p.clientID, ClientSecret: p.secret, JITRole: jit}
	})
	p.redirect = e.http.URL + "/login/sso/callback"
	return e, p
}

// sso runs a browser through single sign-on as email and returns the callback's answer.
func (u *user) sso(t *testing.T, p *fakeIdP, email string) (int, string) {
	t.Helper()
	p.email = email
	st, loc := u.get(t, "/login/sso?next=%2Finbox%3Fview%3Dmine")
	if st != http.StatusFound || !strings.HasPrefix(loc, p.srv.URL+"/authorize?") {
		t.Fatalf("start: %d %s", st, loc)
	}
	callback := p.approve(t, loc)
	return u.get(t, callback)
}

// approve sends the authorization request to the provider and returns the callback path it
// redirects to.
func (p *fakeIdP) approve(t *testing.T, authURL string) string {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("provider: %d %v", resp.StatusCode, err)
	}
	return cb.RequestURI()
}

func TestSingleSignOnSignsInAVerifiedEmail(t *testing.T) {
	t.Parallel()
	e, p := ssoEnv(t, "")
	a := e.newUser(t, "jo", inbox.RoleAgent).agent
	_, page := e.anonymous(t).get(t, "/login")
	mustContain(t, "login page", page, "Sign in with SSO", `href="/login/sso?next=%2finbox"`)
	u := e.anonymous(t)
	if st, loc := u.sso(t, p, "JO@example.com"); st != http.StatusSeeOther || loc != "/inbox?view=mine" {
		t.Fatalf("callback: %d %s", st, loc)
	}
	if st, body := u.get(t, "/inbox"); st != http.StatusOK || !strings.Contains(body, `data-agent-name="jo"`) {
		t.Fatalf("/inbox after single sign-on: %d", st)
	}
	var data string
	if err := e.pool.QueryRow(context.Background(), `SELECT data::text FROM audit_log WHERE kind = $1 AND actor_id = $2 ORDER BY id DESC LIMIT 1`,
		inbox.AuditSignIn, a.ID).Scan(&data); err != nil || !strings.Contains(data, `"method": "sso"`) {
		t.Errorf("sign-in event: %s %v", data, err)
	}
	// A string "true" counts too (some providers send it so).
	p.verified = "true"
	if st, _ := e.anonymous(t).sso(t, p, "jo@example.com"); st != http.StatusSeeOther {
		t.Fatalf("email_verified \"true\": %d", st)
	}

	// Without SSO configured the button is not shown and the routes are not found.
	plain := newUIEnv(t)
	_, page = plain.anonymous(t).get(t, "/login")
	mustNotContain(t, "login without sso", page, "Sign in with SSO")
	if st, _ := plain.anonymous(t).get(t, "/login/sso"); st != http.StatusNotFound {
		t.Fatalf("/login/sso unconfigured: %d", st)
	}
}

func TestSingleSignOnRefusesUnverifiedWrongNonceWrongStateAndStrangers(t *testing.T) {
	t.Parallel()
	e, p := ssoEnv(t, "")
	e.newUser(t, "kit", inbox.RoleAgent)

	p.verified = false
	if st, body := e.anonymous(t).sso(t, p, "kit@example.com"); st != http.StatusForbidden || !strings.Contains(body, "no verified email") {
		t.Fatalf("unverified email: %d", st)
	}
	p.verified = nil // claim missing
	if st, _ := e.anonymous(t).sso(t, p, "kit@example.com"); st != http.StatusForbidden {
		t.Fatalf("no email_verified claim: %d", st)
	}
	p.verified = true

	p.badNonce = true
	if st, body := e.anonymous(t).sso(t, p, "kit@example.com"); st != http.StatusUnauthorized || !strings.Contains(body, "could not be verified") {
		t.Fatalf("wrong nonce: %d", st)
	}
	p.badNonce = false

	// A state that is not this browser's: another browser's callback, a changed state, or a
	// callback used twice.
	u := e.anonymous(t)
	p.email = "kit@example.com"
	_, loc := u.get(t, "/login/sso")
	callback := p.approve(t, loc)
	if st, _ := e.anonymous(t).get(t, callback); st != http.StatusBadRequest {
		t.Fatalf("callback in another browser: %d", st)
	}
	cb, _ := url.Parse(callback)
	q := cb.Query()
	q.Set("state", q.Get("state")+"x")
	if st, _ := u.get(t, cb.Path+"?"+q.Encode()); st != http.StatusBadRequest {
		t.Fatalf("changed state: %d", st)
	}
	v := e.anonymous(t)
	_, loc = v.get(t, "/login/sso")
	callback = p.approve(t, loc)
	if st, _ := v.get(t, callback); st != http.StatusSeeOther {
		t.Fatalf("good callback: %d", st)
	}
	base, _ := url.Parse(e.http.URL + "/login/sso/callback")
	state := cbState(t, callback)
	v.client.Jar.SetCookies(base, []*http.Cookie{{Name: ssoCookie, Value: state, Path: "/login/sso"}})
	if st, body := v.get(t, callback); st != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Fatalf("callback replayed: %d", st)
	}

	if st, body := e.anonymous(t).sso(t, p, "stranger@example.com"); st != http.StatusForbidden || !strings.Contains(body, "No Parley agent has the email stranger@example.com") {
		t.Fatalf("unknown email without JIT: %d", st)
	}
	if _, err := e.store.AgentByEmail(context.Background(), "stranger@example.com"); err == nil {
		t.Fatal("a stranger got an agent without JIT")
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE kind = $1 AND data->>'method' = 'sso'`,
		inbox.AuditSignInFailed).Scan(&n); err != nil || n != 7 {
		t.Errorf("refused single sign-ons recorded: %d (%v), want 7", n, err)
	}
}

func cbState(t *testing.T, callback string) string {
	t.Helper()
	u, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

func TestSingleSignOnCreatesAgentsJustInTimeAndStillAsksForTheirCode(t *testing.T) {
	t.Parallel()
	e, p := ssoEnv(t, inbox.RoleSupervisor)
	u := e.anonymous(t)
	if st, loc := u.sso(t, p, "new.person@example.com"); st != http.StatusSeeOther || loc != "/inbox?view=mine" {
		t.Fatalf("JIT sign-in: %d %s", st, loc)
	}
	a, err := e.store.AgentByEmail(context.Background(), "new.person@example.com")
	if err != nil || a.Role != inbox.RoleSupervisor || a.Name != "Jo Single" {
		t.Fatalf("JIT agent: %+v %v", a, err)
	}
	if st, _ := u.get(t, "/dashboard"); st != http.StatusOK {
		t.Fatalf("JIT supervisor's dashboard: %d", st)
	}
	// With two-factor on, single sign-on is only the first factor.
	u.agent = a
	u.enrol(t)
	if st, loc := e.anonymous(t).sso(t, p, "new.person@example.com"); st != http.StatusSeeOther || loc != "/login/code" {
		t.Fatalf("single sign-on with two-factor on: %d %s, want the code step", st, loc)
	}
}
