package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// auditLog reads the whole audit log, newest first.
func (e *uiEnv) auditLog(t *testing.T, q inbox.AuditQuery) []inbox.AuditRecord {
	t.Helper()
	q.Limit = inbox.MaxAuditPage
	page, err := e.store.AuditLog(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return page.Records
}

// TestWebAdminChangesAreAudited makes every admin change the web offers (teams and members,
// routing rules and sets, SLA policies and settings, a contact merge) as a signed-in admin and
// finds each in the audit log, by the admin's email and id, from the client's address; the
// changes refused leave no record.
func TestWebAdminChangesAreAudited(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	mustStatus := func(what string, want, got int, body string) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: %d, want %d: %.500s", what, got, want, body)
		}
	}
	st, body := admin.postForm(t, "/admin/teams", url.Values{"name": {"Billing"}})
	mustStatus("create team", http.StatusSeeOther, st, body)
	billing, err := e.store.TeamByName(context.Background(), "Billing")
	if err != nil {
		t.Fatal(err)
	}
	team := i64(billing.ID)
	st, body = admin.postForm(t, "/admin/teams", url.Values{"name": {"Billing"}})
	mustStatus("create the team again", http.StatusBadRequest, st, body)
	st, body = admin.postForm(t, "/admin/teams/"+team+"/members", url.Values{"agent_id": {i64(ana.agent.ID)}})
	mustStatus("add member", http.StatusSeeOther, st, body)
	st, body = admin.postForm(t, "/admin/teams/"+team+"/members", url.Values{"agent_id": {"999999"}})
	mustStatus("add no one", http.StatusBadRequest, st, body)
	st, body = admin.postForm(t, "/admin/teams/"+team+"/members/"+i64(ana.agent.ID)+"/remove", nil)
	mustStatus("remove member", http.StatusSeeOther, st, body)
	st, body = admin.postForm(t, "/admin/teams/"+team+"/default-queue", url.Values{"on": {"true"}})
	mustStatus("default queue", http.StatusSeeOther, st, body)
	st, body = admin.postForm(t, "/admin/teams/999999/default-queue", url.Values{"on": {"true"}})
	mustStatus("default queue of no team", http.StatusNotFound, st, body)

	st, body = admin.postJSON(t, "/api/v1/rules", `{"name":"vip","tiers":["gold"],"set_priority":"urgent"}`)
	mustStatus("add rule", http.StatusCreated, st, body)
	var rule struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &rule); err != nil {
		t.Fatal(err)
	}
	st, body = admin.postJSON(t, "/api/v1/rules", `{"name":"nowhere","set_team":"Nobody"}`)
	mustStatus("add a rule naming no team", http.StatusBadRequest, st, body)
	st, body = admin.postJSON(t, "/api/v1/rule-sets", `{"name":"tags","mode":"all"}`)
	mustStatus("rule set", http.StatusOK, st, body)
	st, body = admin.do(t, http.MethodDelete, "/api/v1/rules/"+i64(rule.ID), "", "")
	mustStatus("delete rule", http.StatusNoContent, st, body)
	st, body = admin.postJSON(t, "/api/v1/sla/policies", `{"name":"Default","first_response":"1h"}`)
	mustStatus("add policy", http.StatusCreated, st, body)
	st, body = admin.postJSON(t, "/api/v1/sla/policies", `{"name":"Default","first_response":"1h"}`)
	mustStatus("add the policy again", http.StatusConflict, st, body)
	st, body = admin.do(t, http.MethodPut, "/api/v1/sla/settings", "application/json",
		`{"pending_resolve_after":"72h","resolved_close_after":"0s","survey_enabled":true,"survey_valid_for":"24h"}`)
	mustStatus("settings", http.StatusOK, st, body)

	keep := e.customer(t, "m-1", "kim@example.com", "Kim", "One", "hello")
	other := e.customer(t, "m-2", "kim@work.example.com", "Kim", "Two", "hello again")
	st, body = admin.postJSON(t, "/api/v1/contacts/"+i64(keep.ContactID)+"/merge", fmt.Sprintf(`{"other_id":%d}`, other.ContactID))
	mustStatus("merge", http.StatusOK, st, body)

	got := e.auditLog(t, inbox.AuditQuery{Actor: "admin@example.com"})
	want := []string{
		inbox.AuditContactsMerged + " contact:" + i64(keep.ContactID),
		inbox.AuditSettingsChanged + " settings:lifecycle",
		inbox.AuditPolicyChanged + " sla_policy:",
		inbox.AuditRuleChanged + " rule:" + i64(rule.ID) + " deleted",
		inbox.AuditRuleChanged + " rule_set:",
		inbox.AuditRuleChanged + " rule:" + i64(rule.ID) + " created",
		inbox.AuditTeamChanged + " team:" + team + " default_queue_on",
		inbox.AuditTeamChanged + " team:" + team + " member_removed",
		inbox.AuditTeamChanged + " team:" + team + " member_added",
		inbox.AuditTeamChanged + " team:" + team + " created",
		inbox.AuditSignIn + " agent:" + i64(admin.agent.ID),
	}
	if len(got) != len(want) {
		t.Fatalf("%d audit records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		line := g.Kind + " " + g.Target
		if a, ok := g.Data["action"].(string); ok {
			line += " " + a
		}
		if !strings.HasPrefix(line, w) {
			t.Errorf("record %d: %q, want %q", i, line, w)
		}
		if g.ActorID != admin.agent.ID {
			t.Errorf("record %d (%s): actor id %d, want %d", i, g.Kind, g.ActorID, admin.agent.ID)
		}
		if g.Kind != inbox.AuditContactsMerged && g.SourceIP != "127.0.0.1" {
			t.Errorf("record %d (%s): source %q, want 127.0.0.1", i, g.Kind, g.SourceIP)
		}
	}
	// Besides the admin's changes, the log holds only the agents' creation and sign-ins: the
	// refused changes left nothing.
	for _, r := range e.auditLog(t, inbox.AuditQuery{}) {
		if r.ActorID != admin.agent.ID && r.Kind != inbox.AuditAgentCreated && r.Kind != inbox.AuditSignIn {
			t.Errorf("unexpected record %+v", r)
		}
	}
}

// auditSeed records one event about each kind of target, and one about a thing no page shows.
// auditEvents counts the audit log's events of a kind ("" for every kind), whoever the actor.
func (e *uiEnv) auditEvents(t *testing.T, kind string) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE $1 = '' OR kind = $1`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *uiEnv) auditSeed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelAPI, Name: "CRM"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []inbox.AuditRecord{
		{Kind: inbox.AuditSignIn, ActorID: 1, Actor: "admin@example.com", Target: "agent:1", SourceIP: "192.0.2.1"},
		{Kind: inbox.AuditTOTPEnrolled, ActorID: 1, Actor: "admin@example.com", Target: "agent:1", SourceIP: "192.0.2.1"},
		{Kind: inbox.AuditTOTPFailed, Actor: "bo@example.com", Target: "agent:2", SourceIP: "198.51.100.7"},
		{Kind: inbox.AuditInboxChanged, Actor: "cli", Target: inbox.AuditTarget("inbox", in.ID), Data: map[string]any{"action": "created"}},
		{Kind: inbox.AuditRuleChanged, Actor: "cli", Target: "rule:4"},
		{Kind: inbox.AuditRuleChanged, Actor: "cli", Target: "rule_set:2"},
		{Kind: inbox.AuditPolicyChanged, Actor: "cli", Target: "sla_policy:1"},
		{Kind: inbox.AuditSettingsChanged, Actor: "cli", Target: "settings:lifecycle"},
		{Kind: inbox.AuditTeamChanged, Actor: "cli", Target: "team:3"},
		{Kind: inbox.AuditContactsMerged, Actor: "system", Target: "contact:8", Data: map[string]any{"merged": 9}},
	} {
		if err := e.store.RecordAudit(ctx, r); err != nil {
			t.Fatal(err)
		}
		e.advance(1e9)
	}
}

var (
	auditRowRe  = regexp.MustCompile(`<tr><td><time`)
	auditLinkRe = regexp.MustCompile(`<td><a href="(/admin/[a-z]+)">([a-z_]+:[^<]+)</a></td>`)
)

// TestAdminAuditPage shows the log to an admin: every event, each target that a page manages
// linked to that page (and each link opens), the filters, and a refusal of bad filters; other
// roles get 403.
func TestAdminAuditPage(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	sup := e.newUser(t, "sup", inbox.RoleSupervisor)
	base, signins := e.auditEvents(t, ""), e.auditEvents(t, inbox.AuditSignIn) // the two agents' creation and sign-in
	e.auditSeed(t)
	st, body := admin.get(t, "/admin/audit")
	if st != http.StatusOK {
		t.Fatalf("GET /admin/audit: %d %.500s", st, body)
	}
	mustContain(t, "audit page", body, `<form method="get" action="/admin/audit"`, `name="kind"`, `name="actor"`, `name="target"`,
		`name="ip"`, `name="from"`, `name="to"`, `<option value="2fa.*">`, `<option value="2fa.failed">`,
		`href="/admin/audit.csv?"`, "198.51.100.7", "contact:8", `{&#34;merged&#34;:9}`, `aria-current="page">Audit log`)
	if n := len(auditRowRe.FindAllString(body, -1)); n != base+10 {
		t.Errorf("%d rows, want %d", n, base+10)
	}
	links := map[string]string{}
	for _, m := range auditLinkRe.FindAllStringSubmatch(body, -1) {
		kind, _, _ := strings.Cut(m[2], ":")
		links[kind] = m[1]
	}
	wantLinks := map[string]string{"agent": "/admin/agents", "inbox": "/admin/inboxes", "rule": "/admin/rules",
		"rule_set": "/admin/rules", "sla_policy": "/admin/sla", "settings": "/admin/sla", "team": "/admin/teams"}
	for kind, link := range wantLinks {
		if links[kind] != link {
			t.Errorf("target %s links to %q, want %q", kind, links[kind], link)
		}
		if st, body := admin.get(t, link); st != http.StatusOK {
			t.Errorf("the %s link %s: %d %.300s", kind, link, st, body)
		}
	}
	if _, ok := links["contact"]; ok {
		t.Error("a contact target links somewhere, but no page shows contacts")
	}

	filters := []struct {
		query string
		rows  int
		has   []string
	}{
		{"kind=2fa.*", 2, []string{"2fa.enrolled", "2fa.failed"}},
		{"kind=signin", signins + 1, []string{"192.0.2.1"}},
		{"actor=BO@example.com", 1, []string{"2fa.failed"}},
		{"target=rule*", 2, []string{"rule:4", "rule_set:2"}},
		{"ip=192.0.2.1", 2, nil},
		{"from=2026-11-23&to=2026-11-23", base + 10, nil},
		{"from=2026-11-24", 0, []string{"No events match."}},
		{"to=2026-11-22", 0, nil},
		{"from=2026-11-23T09:00&to=2026-11-23T09:00&kind=x", 0, []string{"to: must be after from"}},
	}
	for _, f := range filters {
		st, body := admin.get(t, "/admin/audit?"+f.query)
		if strings.Contains(f.query, "kind=x") {
			if st != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", f.query, st)
			}
		} else if st != http.StatusOK {
			t.Errorf("%s: %d", f.query, st)
			continue
		}
		if n := len(auditRowRe.FindAllString(body, -1)); n != f.rows {
			t.Errorf("%s: %d rows, want %d", f.query, n, f.rows)
		}
		mustContain(t, f.query, html.UnescapeString(body), f.has...)
	}
	for _, bad := range []string{"from=yesterday", "to=2026-13-01", "cursor=bogus!", "kind=" + strings.Repeat("x", 201)} {
		st, body := admin.get(t, "/admin/audit?"+bad)
		if st != http.StatusBadRequest || !strings.Contains(body, `class="error"`) {
			t.Errorf("%.40s: %d, want 400 with a message", bad, st)
		}
		if strings.HasPrefix(bad, "cursor=") {
			continue // the export starts at the newest event whatever the cursor
		}
		if st, _ := admin.get(t, "/admin/audit.csv?"+bad); st != http.StatusBadRequest {
			t.Errorf("CSV %.40s: %d, want 400", bad, st)
		}
	}
	for _, path := range []string{"/admin/audit", "/admin/audit.csv"} {
		if st, _ := sup.get(t, path); st != http.StatusForbidden {
			t.Errorf("a supervisor's GET %s: %d, want 403", path, st)
		}
		if st, loc := e.anonymous(t).get(t, path); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("an anonymous GET %s: %d %s, want a redirect to sign in", path, st, loc)
		}
	}
}

// TestAdminAuditPages walks the page's Older links through more events than a page holds and
// back to the newest.
func TestAdminAuditPages(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	ctx := context.Background()
	const n = auditPageSize + 7
	if _, err := e.pool.Exec(ctx, `INSERT INTO audit_log (at, kind, actor, target)
		SELECT now() - i * interval '1 minute', 'signin.failed', 'x' || i || '@example.com', '' FROM generate_series(1, $1) i`, n); err != nil {
		t.Fatal(err)
	}
	olderRe := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older</a>`)
	st, body := admin.get(t, "/admin/audit?kind=signin.failed")
	if st != http.StatusOK || len(auditRowRe.FindAllString(body, -1)) != auditPageSize {
		t.Fatalf("first page: %d, %d rows", st, len(auditRowRe.FindAllString(body, -1)))
	}
	mustContain(t, "first page", body, "x1@example.com")
	mustNotContain(t, "first page", body, ">Newest<")
	m := olderRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no Older link on a full first page")
	}
	st, body = admin.get(t, html.UnescapeString(m[1]))
	if st != http.StatusOK || len(auditRowRe.FindAllString(body, -1)) != 7 {
		t.Fatalf("second page: %d, %d rows", st, len(auditRowRe.FindAllString(body, -1)))
	}
	mustContain(t, "second page", html.UnescapeString(body), fmt.Sprintf("x%d@example.com", n), `href="/admin/audit?kind=signin.failed">Newest`)
	mustNotContain(t, "second page", body, "x1@example.com<", "rel=\"next\"")
}
