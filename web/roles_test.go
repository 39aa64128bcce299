package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// apiRoutes are the JSON API's routes (server.go) that any signed-in agent may use.
var apiRoutes = []string{
	"GET /api/v1/conversations",
	"GET /api/v1/conversations/{id}",
	"POST /api/v1/conversations/{id}/messages",
	"POST /api/v1/conversations/{id}/forward",
	"POST /api/v1/conversations/{id}/assign",
	"POST /api/v1/conversations/{id}/status",
	"POST /api/v1/conversations/{id}/priority",
	"POST /api/v1/conversations/{id}/snooze",
	"POST /api/v1/conversations/{id}/tags",
	"GET /api/v1/contacts/{id}",
	"POST /api/v1/contacts/{id}/merge",
	"GET /api/v1/attachments/{id}",
	"GET /api/v1/me",
	"POST /api/v1/me/availability",
	"GET /api/v1/me/signature",
	"PUT /api/v1/me/signature",
	"GET /api/v1/events",
}

// TestEveryRoleAgainstEveryRoute signs in one agent of each role and sends every page, form
// action and API route a request: without a session it is refused (401, or a redirect to the
// sign-in form for a page), below its role 403, at or above its role it is served.
func TestEveryRoleAgainstEveryRoute(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	users := map[inbox.Role]*user{}
	for _, r := range allRoles {
		users[r] = e.newUser(t, string(r), r)
	}
	res := e.customer(t, "r-1", "roles@example.com", "Rolf", "Roles", "hello")
	other := e.customer(t, "r-2", "other@example.com", "Otto", "Other", "hi")
	target, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "target@example.com", Name: "Target", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	team, err := e.store.CreateTeam(ctx, "Billing", []string{"target@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	canned, err := e.store.SaveCanned(ctx, inbox.Canned{Shortcut: "hi", Title: "Hi", Body: "Hello!"}, inbox.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.NewReplacer("{id}", i64(res.ConversationID), "{agent}", i64(target.ID), "{table}", "channels.csv")
	type req struct{ path, ctype, body string }
	concrete := func(pattern string) (string, req) {
		method, path, _ := strings.Cut(pattern, " ")
		r := req{path: ids.Replace(path)}
		switch {
		case strings.HasPrefix(path, "/admin/agents/{id}"):
			r.path = strings.Replace(path, "{id}", i64(target.ID), 1)
		case strings.HasPrefix(path, "/admin/teams/{id}"):
			r.path = strings.NewReplacer("{id}", i64(team.ID), "{agent}", i64(target.ID)).Replace(path)
		case strings.HasPrefix(path, "/admin/canned/{id}"):
			r.path = strings.Replace(path, "{id}", i64(canned.ID), 1)
		case strings.HasPrefix(path, "/api/v1/contacts/{id}"):
			r.path = strings.Replace(path, "{id}", i64(res.ContactID), 1)
		}
		if method == http.MethodPost && strings.HasPrefix(path, "/admin") {
			r.ctype = "application/x-www-form-urlencoded"
			r.body = url.Values{"role": {"agent"}, "agent_id": {i64(target.ID)}, "name": {"Team " + method + path},
				"shortcut": {"s" + i64(int64(len(path)))}, "title": {"T"}, "body": {"B"}, "email": {"new" + i64(int64(len(path))) + "@example.com"},
				"password": {"correct-horse-battery"}}.Encode()
		} else if method == http.MethodPost {
			r.ctype = "application/json"
			r.body = map[string]string{
				"/api/v1/inbound":                     `{"external_id":"r-3","contact":{"email":"new@example.com"},"text":"hi"}`,
				"/api/v1/conversations/{id}/messages": `{"type":"note","text":"a note"}`,
				"/api/v1/conversations/{id}/assign":   `{"agent":"me"}`,
				"/api/v1/conversations/{id}/status":   `{"status":"open"}`,
				"/api/v1/conversations/{id}/priority": `{"priority":"high"}`,
				"/api/v1/conversations/{id}/snooze":   `{"until":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`,
				"/api/v1/conversations/{id}/tags":     `{"add":["x"]}`,
				"/api/v1/contacts/{id}/merge":         `{"other_id":` + i64(other.ContactID) + `}`,
				"/api/v1/me/availability":             `{"availability":"away"}`,
				"/api/v1/conversations/{id}/forward":  `{"to":"claims@example.com","note":"see below"}`,
			}[path]
		}
		return method, r
	}

	routes := append([]guardedRoute{}, e.srv.ui.guarded...)
	for _, p := range apiRoutes {
		routes = append(routes, guardedRoute{Pattern: p, Min: inbox.RoleAgent})
	}
	// Inbound messages come from integration tokens or admins only.
	routes = append(routes, guardedRoute{Pattern: "POST /api/v1/inbound", Min: inbox.RoleAdmin})
	if len(e.srv.ui.guarded) < 15 {
		t.Fatalf("only %d guarded routes recorded", len(e.srv.ui.guarded))
	}
	for _, rt := range routes {
		method, r := concrete(rt.Pattern)
		page := !strings.HasPrefix(r.path, "/api/")
		st, loc := e.anonymous(t).do(t, method, r.path, r.ctype, r.body)
		switch {
		case page && method == http.MethodGet:
			if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Errorf("anonymous %s %s: %d %q, want the sign-in redirect", method, r.path, st, loc)
			}
		case st != http.StatusUnauthorized:
			t.Errorf("anonymous %s %s: %d, want 401", method, r.path, st)
		}
		for _, role := range allRoles {
			st, body := users[role].do(t, method, r.path, r.ctype, r.body)
			allowed := role.AtLeast(rt.Min)
			switch {
			case !allowed && st != http.StatusForbidden:
				t.Errorf("%s %s %s: %d, want 403", role, method, r.path, st)
			case allowed && (st == http.StatusUnauthorized || st == http.StatusForbidden || st >= 500):
				t.Errorf("%s %s %s: %d, want it served: %.300s", role, method, r.path, st, body)
			}
		}
	}
}

func TestAnAgentNeverReachesAdminPages(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "agent", inbox.RoleAgent)
	for _, p := range []string{"/admin", "/admin/agents", "/admin/teams", "/admin/inboxes", "/admin/canned", "/dashboard"} {
		st, body := u.get(t, p)
		if st != http.StatusForbidden {
			t.Errorf("GET %s as an agent: %d", p, st)
		}
		mustNotContain(t, p, body, "Add an agent", `name="password"`)
	}
	st, body := u.get(t, "/inbox")
	if st != http.StatusOK {
		t.Fatalf("/inbox: %d", st)
	}
	mustNotContain(t, "agent's navigation", body, `href="/admin/agents"`, `href="/dashboard"`)
	// Promoted, the same session sees the admin pages on its next request.
	if err := e.store.SetAgentRole(t.Context(), u.agent.ID, inbox.RoleAdmin, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	if st, _ := u.get(t, "/admin/agents"); st != http.StatusOK {
		t.Fatalf("/admin/agents after promotion: %d", st)
	}
}
