package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

type tokenAnswer struct {
	inbox.APIToken
	Token string `json:"token"`
	Error string `json:"error"`
	Code  string `json:"code"`
}

func TestRevocationOnOneServerIsRefusedOnTheOtherAtOnce(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	a, b := setupOn(t, pool), setupOn(t, pool)
	var made tokenAnswer
	if st := a.do(t, "POST", "/api/v1/tokens", `{"name":"laptop"}`, &made); st != http.StatusCreated || !strings.HasPrefix(made.Token, "pk_") {
		t.Fatalf("create: %d %+v", st, made)
	}
	// B has the new token cached, and a socket open with it. (A socket opened with another of
	// the agent's credentials closes too, but only once B's hub holds it: a revocation that
	// reaches B before that leaves it open, rightly, as its credential is still good. The
	// revoked token's own socket is closed either way: by the announcement once it is in the
	// hub, by the hub's re-reading of its credential before.)
	if st := b.doAs(t, made.Token, "GET", "/api/v1/conversations", "", nil); st != http.StatusOK {
		t.Fatalf("new token on B: %d", st)
	}
	sock := dialEvents(t, b, made.Token)
	if st := a.do(t, "DELETE", "/api/v1/tokens/"+itoa(made.ID), "", nil); st != http.StatusOK {
		t.Fatalf("revoke on A: %d", st)
	}
	waitClosed(t, sock.Conn, 4002)
	if st := b.doAs(t, made.Token, "GET", "/api/v1/conversations", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("revoked token on B: %d, want 401", st)
	}
	if st := a.doAs(t, made.Token, "GET", "/api/v1/conversations", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("revoked token on A: %d, want 401", st)
	}
	// The agent's other token still works.
	if st := b.do(t, "GET", "/api/v1/me", "", nil); st != http.StatusOK {
		t.Fatalf("other token on B: %d", st)
	}
}

func TestTokensAreTheirOwnersAndAdmins(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, bobTok := e.newAgent(t, "bob", inbox.RoleAgent)
	_, adminTok := e.newAgent(t, "boss", inbox.RoleAdmin)
	var mine tokenAnswer
	if st := e.do(t, "POST", "/api/v1/tokens", `{"name":"ci","expires_in_days":90}`, &mine); st != http.StatusCreated || mine.ExpiresAt == nil || mine.Kind != inbox.TokenAgent {
		t.Fatalf("create: %d %+v", st, mine)
	}
	if d := time.Until(*mine.ExpiresAt); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Fatalf("expires in %v", d)
	}
	var list struct {
		Tokens []inbox.APIToken `json:"tokens"`
	}
	e.doAs(t, bobTok, "GET", "/api/v1/tokens", "", &list)
	for _, tk := range list.Tokens {
		if tk.ID == mine.ID || tk.AgentEmail != "bob@example.com" {
			t.Fatalf("bob sees %+v", tk)
		}
	}
	e.doAs(t, adminTok, "GET", "/api/v1/tokens", "", &list)
	found := false
	for _, tk := range list.Tokens {
		found = found || tk.ID == mine.ID
	}
	if !found {
		t.Fatal("the admin does not see every token")
	}
	refused := []struct {
		token, method, path, body string
		status                    int
		contains                  string
	}{
		{bobTok, "DELETE", "/api/v1/tokens/" + itoa(mine.ID), "", 404, "not found"},
		{bobTok, "DELETE", "/api/v1/tokens/abc", "", 400, "positive integer"},
		{bobTok, "POST", "/api/v1/tokens", `{"name":"x","kind":"integration"}`, 403, "only an admin"},
		{bobTok, "POST", "/api/v1/tokens", `{"name":"x","agent_id":` + itoa(e.agent.ID) + `}`, 403, "another agent"},
		{bobTok, "POST", "/api/v1/tokens", `{"name":""}`, 400, "name"},
		{bobTok, "POST", "/api/v1/tokens", `{"name":"x","expires_in_days":-1}`, 400, "expires_in_days"},
		{bobTok, "POST", "/api/v1/tokens", `{"name":"x","expires_in_days":99999}`, 400, "expires_in_days"},
		{bobTok, "POST", "/api/v1/tokens", `{"name":"x","kind":"root"}`, 400, "kind"},
		{adminTok, "POST", "/api/v1/tokens", `{"name":"x","agent_id":999999}`, 400, "agent"},
	}
	for _, r := range refused {
		var got tokenAnswer
		if st := e.doAs(t, r.token, r.method, r.path, r.body, &got); st != r.status || !strings.Contains(got.Error, r.contains) {
			t.Errorf("%s %s %s: %d %q, want %d mentioning %q", r.method, r.path, r.body, st, got.Error, r.status, r.contains)
		}
	}
	// The admin revokes anyone's.
	if st := e.doAs(t, adminTok, "DELETE", "/api/v1/tokens/"+itoa(mine.ID), "", nil); st != http.StatusOK {
		t.Fatalf("admin revoke: %d", st)
	}
	if st := e.doAs(t, mine.Token, "GET", "/api/v1/me", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("revoked: %d", st)
	}
}

func TestIntegrationTokensOnlyFeedTheInboundAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, adminTok := e.newAgent(t, "boss", inbox.RoleAdmin)
	var integ tokenAnswer
	if st := e.doAs(t, adminTok, "POST", "/api/v1/tokens", `{"name":"crm","kind":"integration","agent_id":`+itoa(e.agent.ID)+`}`, &integ); st != http.StatusCreated || integ.Kind != inbox.TokenIntegration || integ.AgentID != e.agent.ID {
		t.Fatalf("create integration token: %d %+v", st, integ)
	}
	var in ids
	if st := e.doAs(t, integ.Token, "POST", "/api/v1/inbound", `{"external_id":"i-1","contact":{"email":"ivy@example.com","phone":"+15550100123"},"text":"hi"}`, &in); st != http.StatusCreated {
		t.Fatalf("inbound with an integration token: %d", st)
	}
	if n := e.count(t, `SELECT count(*) FROM contact_identities WHERE contact_id = $1 AND verified`, in.ContactID); n != 2 {
		t.Fatalf("%d verified identities, want 2", n)
	}
	if st := e.doAs(t, integ.Token, "GET", "/api/v1/me", "", nil); st != http.StatusOK {
		t.Fatalf("me: %d", st)
	}
	for _, r := range [][2]string{{"GET", "/api/v1/conversations"}, {"GET", "/api/v1/conversations/" + itoa(in.ConversationID)},
		{"POST", "/api/v1/conversations/" + itoa(in.ConversationID) + "/messages"}, {"GET", "/api/v1/tokens"},
		{"POST", "/api/v1/tokens"}, {"GET", "/api/v1/events"}} {
		var got tokenAnswer
		if st := e.doAs(t, integ.Token, r[0], r[1], `{"type":"note","text":"x","name":"x"}`, &got); st != http.StatusForbidden || got.Code != "integration_token" {
			t.Errorf("%s %s with an integration token: %d %+v, want 403", r[0], r[1], st, got)
		}
	}
	// An agent token may not post inbound messages (its identities would be stored as
	// verified); an admin's may.
	var got tokenAnswer
	if st := e.doAs(t, e.token, "GET", "/api/v1/me", "", nil); st != http.StatusOK {
		t.Fatalf("agent token: %d", st)
	}
	body := `{"external_id":"i-2","contact":{"email":"mallory@example.com"},"text":"hi"}`
	if st := e.doAs(t, "", "POST", "/api/v1/inbound", body, nil); st != http.StatusUnauthorized {
		t.Fatalf("anonymous inbound: %d", st)
	}
	_, supTok := e.newAgent(t, "sup", inbox.RoleSupervisor)
	for _, tok := range []string{supTok, e.agentToken(t)} {
		if st := e.doAs(t, tok, "POST", "/api/v1/inbound", body, &got); st != http.StatusForbidden || !strings.Contains(got.Error, "integration token or an admin") {
			t.Fatalf("inbound with an agent token: %d %+v, want 403", st, got)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM contact_identities WHERE address = 'mallory@example.com'`); n != 0 {
		t.Fatal("a refused inbound stored its contact")
	}
	if st := e.doAs(t, adminTok, "POST", "/api/v1/inbound", body, nil); st != http.StatusCreated {
		t.Fatalf("inbound as an admin: %d", st)
	}
}

// agentToken is another agent-kind token of the environment's agent (do and doAs swap e.token
// for the integration token on the inbound API).
func (e *apiEnv) agentToken(t *testing.T) string {
	t.Helper()
	tok, err := e.store.CreateToken(context.Background(), e.agent.ID, "second")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestExpiredTokenAnswers401(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tok, rec, err := e.store.IssueToken(context.Background(), inbox.NewToken{AgentID: e.agent.ID, Name: "brief",
		ExpiresAt: time.Now().Add(1500 * time.Millisecond)}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if st := e.doAs(t, tok, "GET", "/api/v1/me", "", nil); st != http.StatusOK {
		t.Fatalf("fresh: %d", st)
	}
	// The token's own end, not a cache TTL (10 s), decides: wait for the instant it expires.
	time.Sleep(time.Until(*rec.ExpiresAt) + 50*time.Millisecond)
	if st := e.doAs(t, tok, "GET", "/api/v1/me", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("expired: %d, want 401", st)
	}
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/events"
	if _, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {"Bearer " + tok}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("socket with an expired token: %v", resp)
	}
}

func TestTokenPagesShowOnceAndRevoke(t *testing.T) {
	t.Parallel()
	e := setup(t)
	cookie := e.session(t, e.agent)
	st, body := e.withCookie(t, cookie, "POST", "/settings/tokens", url.Values{"name": {"script"}, "expires_days": {"30"}})
	if st != http.StatusOK || !strings.Contains(body, `value="pk_`) {
		t.Fatalf("create on the page: %d %.500s", st, body)
	}
	list, err := e.store.Tokens(context.Background(), e.agent.ID)
	if err != nil {
		t.Fatal(err)
	}
	var made inbox.APIToken
	for _, tk := range list {
		if tk.Name == "script" {
			made = tk
		}
	}
	if made.ID == 0 || made.ExpiresAt == nil {
		t.Fatalf("tokens: %+v", list)
	}
	// Shown once: the list page does not show it again.
	if st, body := e.withCookie(t, cookie, "GET", "/settings/tokens", nil); st != http.StatusOK || strings.Contains(body, `value="pk_`) || !strings.Contains(body, "script") {
		t.Fatalf("list page: %d %.500s", st, body)
	}
	// An agent's page makes no integration token, whatever the form says.
	e.withCookie(t, cookie, "POST", "/settings/tokens", url.Values{"name": {"sneaky"}, "kind": {"integration"}})
	if n := e.count(t, `SELECT count(*) FROM api_tokens WHERE kind = 'integration' AND name = 'sneaky'`); n != 0 {
		t.Fatal("an agent made an integration token on the settings page")
	}
	if st, body := e.withCookie(t, cookie, "POST", "/settings/tokens", url.Values{"name": {""}}); st != http.StatusBadRequest || !strings.Contains(body, "name") {
		t.Fatalf("empty name: %d %.300s", st, body)
	}
	// Another agent's token cannot be revoked from the page.
	other, _ := e.newAgent(t, "other", inbox.RoleAgent)
	if st, _ := e.withCookie(t, e.session(t, other), "POST", "/settings/tokens/"+itoa(made.ID)+"/revoke", url.Values{}); st != http.StatusNotFound {
		t.Fatalf("other agent revokes: %d", st)
	}
	if st, _ := e.withCookie(t, cookie, "POST", "/settings/tokens/"+itoa(made.ID)+"/revoke", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("revoke: %d", st)
	}
	if n := e.count(t, `SELECT count(*) FROM api_tokens WHERE id = $1`, made.ID); n != 0 {
		t.Fatal("revoked token still stored")
	}
	// The admin page makes integration tokens for any agent.
	admin, _ := e.newAgent(t, "boss", inbox.RoleAdmin)
	st, body = e.withCookie(t, e.session(t, admin), "POST", "/admin/tokens", url.Values{"name": {"crm"}, "kind": {"integration"}, "agent_id": {itoa(e.agent.ID)}})
	if st != http.StatusOK || !strings.Contains(body, `value="pk_`) {
		t.Fatalf("admin create: %d %.300s", st, body)
	}
	if n := e.count(t, `SELECT count(*) FROM api_tokens WHERE kind = 'integration' AND name = 'crm' AND agent_id = $1`, e.agent.ID); n != 1 {
		t.Fatal("admin's integration token not stored")
	}
}
