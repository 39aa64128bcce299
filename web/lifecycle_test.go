package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/teamtest"
)

// waitClosed reads a socket until the server closes it, and fails unless it closes with code
// (4001 access changed, 4002 token revoked) within a generous deadline: the wait is on the
// feed's delivery, which closes the socket right after it drops the process's cached tokens.
func waitClosed(t *testing.T, conn *websocket.Conn, code int) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, code) {
			t.Fatalf("socket ended with %v, want close %d", err, code)
		}
		return
	}
}

// session signs an agent in directly (as the sign-in form would) and returns the cookie value.
func (e *apiEnv) session(t *testing.T, a inbox.Agent) string {
	t.Helper()
	tok, _, err := e.store.CreateSession(context.Background(), a.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// withCookie sends a request with a session cookie and returns the status and body.
func (e *apiEnv) withCookie(t *testing.T, cookie, method, path string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "parley_session", Value: cookie})
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (e *apiEnv) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

func TestDeactivationEndsAccessOnEveryServerAtOnce(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	a, b := setupOn(t, pool), setupOn(t, pool)
	ctx := context.Background()
	admin, _ := a.newAgent(t, "boss", inbox.RoleAdmin)
	ana, anaTok := a.newAgent(t, "ana", inbox.RoleAgent)
	if _, err := a.store.CreateTeam(ctx, "Billing", []string{"ana@example.com", "agent@example.com"}); err != nil {
		t.Fatal(err)
	}
	team, _ := a.store.TeamByName(ctx, "Billing")
	var open, done ids
	a.do(t, "POST", "/api/v1/inbound", `{"external_id":"l-1","contact":{"email":"c1@example.com"},"text":"help"}`, &open)
	a.do(t, "POST", "/api/v1/inbound", `{"external_id":"l-2","contact":{"email":"c2@example.com"},"text":"thanks"}`, &done)
	for _, id := range []int64{open.ConversationID, done.ConversationID} {
		teamtest.Move(t, a.store, id, team.ID)
		if _, err := a.store.Assign(ctx, id, ana.ID, inbox.Actor{AgentID: ana.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if st := a.doAs(t, anaTok, "POST", "/api/v1/conversations/"+itoa(done.ConversationID)+"/messages", `{"type":"reply","text":"Done!"}`, nil); st != http.StatusCreated {
		t.Fatalf("reply: %d", st)
	}
	if _, err := a.store.SetStatus(ctx, done.ConversationID, inbox.StatusResolved, inbox.Actor{AgentID: ana.ID}); err != nil {
		t.Fatal(err)
	}
	anaSession := a.session(t, ana)
	adminSession := a.session(t, admin)
	// Ana is working on server B: her token is cached there and her socket is open.
	if st := b.doAs(t, anaTok, "GET", "/api/v1/me", "", nil); st != http.StatusOK {
		t.Fatalf("me on B: %d", st)
	}
	sock := dialEvents(t, b, anaTok)
	jobsBefore := a.count(t, `SELECT count(*) FROM river_job WHERE kind = 'assign_waiting' AND (args->>'team_id')::bigint = $1`, team.ID)

	st, body := a.withCookie(t, adminSession, "POST", "/admin/agents/"+itoa(ana.ID)+"/deactivate", url.Values{})
	if st != http.StatusSeeOther {
		t.Fatalf("deactivate on A: %d %.300s", st, body)
	}
	waitClosed(t, sock.Conn, 4001)
	if st := b.doAs(t, anaTok, "GET", "/api/v1/me", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("ana's cached token on B after deactivation: %d, want 401", st)
	}
	if st, _ := b.withCookie(t, anaSession, "GET", "/api/v1/me", nil); st != http.StatusUnauthorized {
		t.Fatalf("ana's session on B: %d, want 401", st)
	}
	if st, loc := b.withCookie(t, anaSession, "GET", "/inbox", nil); st != http.StatusSeeOther {
		t.Fatalf("ana's inbox page: %d %q, want the sign-in redirect", st, loc)
	}
	wsURL := "ws" + strings.TrimPrefix(b.srv.URL, "http") + "/api/v1/events"
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + anaTok}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a new socket for ana: %v %v", err, resp)
	}
	// Her open conversation is back in the team's queue, with a reassignment job enqueued; the
	// resolved one keeps her as its agent, and her reply its author.
	var conv struct {
		AssigneeID *int64 `json:"assignee_id"`
		TeamID     *int64 `json:"team_id"`
	}
	a.do(t, "GET", "/api/v1/conversations/"+itoa(open.ConversationID), "", &conv)
	if conv.AssigneeID != nil || conv.TeamID == nil || *conv.TeamID != team.ID {
		t.Fatalf("open conversation: %+v", conv)
	}
	if n := a.count(t, `SELECT count(*) FROM river_job WHERE kind = 'assign_waiting' AND (args->>'team_id')::bigint = $1`, team.ID); n <= jobsBefore {
		t.Fatal("no reassignment job was enqueued for the freed conversation")
	}
	a.do(t, "GET", "/api/v1/conversations/"+itoa(done.ConversationID), "", &conv)
	if conv.AssigneeID == nil || *conv.AssigneeID != ana.ID {
		t.Fatalf("resolved conversation lost its agent: %+v", conv)
	}
	if n := a.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND author_agent_id = $2`, done.ConversationID, ana.ID); n != 1 {
		t.Fatalf("ana's reply: %d rows", n)
	}
	// She cannot sign in; the admin cannot deactivate themselves, nor demote the last admin.
	if st, _ := b.withCookie(t, "", "POST", "/login", url.Values{"email": {"ana@example.com"}, "password": {"correct-horse-battery"}}); st == http.StatusSeeOther {
		t.Fatal("a deactivated agent signed in")
	}
	if st, body := a.withCookie(t, adminSession, "POST", "/admin/agents/"+itoa(admin.ID)+"/deactivate", url.Values{}); st != http.StatusBadRequest || !strings.Contains(body, "cannot deactivate yourself") {
		t.Fatalf("self-deactivation: %d %.300s", st, body)
	}
	if st, _ := a.withCookie(t, adminSession, "POST", "/admin/agents/"+itoa(ana.ID)+"/activate", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("activate: %d", st)
	}
	if st := b.doAs(t, anaTok, "GET", "/api/v1/me", "", nil); st != http.StatusOK {
		t.Fatalf("ana's token after activation: %d", st)
	}
}

func TestLastAdminCannotBeRemoved(t *testing.T) {
	t.Parallel()
	e := setup(t)
	admin, _ := e.newAgent(t, "boss", inbox.RoleAdmin)
	cookie := e.session(t, admin)
	// Another admin, deactivated, does not count: from the command line (no self), the last
	// active admin may not be demoted or deactivated.
	other, _ := e.newAgent(t, "other", inbox.RoleAdmin)
	if _, err := e.store.DeactivateAgent(context.Background(), other.ID, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAgentRole(context.Background(), admin.ID, inbox.RoleAgent, inbox.CLIActor()); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	// On the page: activating the other admin, then demoting them is fine; self-demotion is not.
	if st, _ := e.withCookie(t, cookie, "POST", "/admin/agents/"+itoa(other.ID)+"/activate", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("activate: %d", st)
	}
	if st, body := e.withCookie(t, cookie, "POST", "/admin/agents/"+itoa(admin.ID)+"/role", url.Values{"role": {"agent"}}); st != http.StatusBadRequest || !strings.Contains(body, "own admin role") {
		t.Fatalf("self-demotion: %d %.300s", st, body)
	}
	// The other admin, signed in, tries to deactivate the first once they are alone.
	if st, _ := e.withCookie(t, cookie, "POST", "/admin/agents/"+itoa(other.ID)+"/role", url.Values{"role": {"agent"}}); st != http.StatusSeeOther {
		t.Fatalf("demote other: %d", st)
	}
	if _, err := e.store.DeactivateAgent(context.Background(), admin.ID, inbox.CLIActor()); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("deactivating the last admin: %v", err)
	}
}

func TestDemotedSupervisorLosesAccessAtOnce(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	a, b := setupOn(t, pool), setupOn(t, pool)
	sup, supTok := a.newAgent(t, "sup", inbox.RoleSupervisor)
	if st := b.doAs(t, supTok, "GET", "/api/v1/sla/board", "", nil); st != http.StatusOK {
		t.Fatalf("board as supervisor: %d", st)
	}
	sock := dialEvents(t, b, supTok)
	if err := a.store.SetAgentRole(context.Background(), sup.ID, inbox.RoleAgent, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, sock.Conn, 4001)
	if st := b.doAs(t, supTok, "GET", "/api/v1/sla/board", "", nil); st != http.StatusForbidden {
		t.Fatalf("board after demotion: %d, want 403", st)
	}
	if n := a.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = 'cli'`, inbox.AuditAgentRole); n != 1 {
		t.Fatalf("role audit rows: %d", n)
	}
}
