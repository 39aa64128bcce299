package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

func TestInboxListsSearchesAndShowsTheOneViewOfACustomer(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	u := e.newUser(t, "ana", inbox.RoleAgent)
	maria, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "m-1", Name: "Maria Lopez",
		From:    inbox.Identity{Kind: inbox.IdentityEmail, Address: "maria@example.com"},
		Also:    []inbox.Identity{{Kind: inbox.IdentityPhone, Address: "+1 555 010 0200", Verified: true}},
		Subject: "Broken jar", Text: "The jar arrived cracked."})
	if err != nil {
		t.Fatal(err)
	}
	e.advance(time.Minute)
	sam := e.customer(t, "s-1", "sam@example.com", "Sam Carter", "Refund", "Where is my refund for order 977?")
	// Maria also writes by SMS, from the phone she gave: one customer, one thread, every channel.
	e.advance(time.Minute)
	if sms, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1",
		From: inbox.Identity{Kind: inbox.IdentityPhone, Address: "+15550100200", Verified: true}, Text: "Also by text: <b>hi</b>"}); err != nil || sms.ConversationID != maria.ConversationID {
		t.Fatalf("sms: %+v %v", sms, err)
	}
	if _, err := e.store.Assign(ctx, maria.ConversationID, u.agent.ID, inbox.Actor{AgentID: u.agent.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Note(ctx, inbox.Reply{ConversationID: maria.ConversationID, Author: inbox.Actor{AgentID: u.agent.ID}, Text: "Checking stock"}); err != nil {
		t.Fatal(err)
	}

	// An agent lands on their own conversations (Mine); All lists everyone's.
	_, landing := u.get(t, "/inbox")
	mustContain(t, "landing", landing, "Maria Lopez", `<a href="/inbox" aria-current="page">Mine</a>`)
	mustNotContain(t, "landing", landing, "Sam Carter")
	st, body := u.get(t, "/inbox?view=all")
	if st != http.StatusOK {
		t.Fatalf("/inbox: %d", st)
	}
	mustContain(t, "list", body, "Maria Lopez", "Sam Carter", "Refund", `href="/inbox/`+i64(sam.ConversationID)+`?view=all"`)
	if strings.Index(body, "Maria Lopez") > strings.Index(body, "Sam Carter") {
		t.Error("the list is not newest activity first")
	}
	_, mine := u.get(t, "/inbox?view=mine")
	mustContain(t, "mine", mine, "Maria Lopez")
	mustNotContain(t, "mine", mine, "Sam Carter")
	_, unassigned := u.get(t, "/inbox?view=unassigned")
	mustContain(t, "unassigned", unassigned, "Sam Carter")
	mustNotContain(t, "unassigned", unassigned, "Maria Lopez")
	for q, want := range map[string]string{"refund 97": "Sam Carter", "cracked": "Maria Lopez", "lopez": "Maria Lopez",
		"sam@example": "Sam Carter", "555 010 0200": "Maria Lopez"} {
		_, found := u.get(t, "/inbox?view=all&q="+url.QueryEscape(q))
		mustContain(t, "search "+q, found, want)
	}
	_, none := u.get(t, "/inbox?q=nothing-like-this")
	mustContain(t, "empty search", none, "No conversations here.")
	if st, _ := u.get(t, "/inbox?status=bogus"); st != http.StatusBadRequest {
		t.Errorf("bad status filter: %d", st)
	}
	_, rows := u.do(t, http.MethodGet, "/inbox?partial=rows", "", "", "X-Parley-Fragment", "1")
	if strings.Contains(rows, "<html") || !strings.Contains(rows, `class="row`) {
		t.Errorf("the rows fragment is not just rows: %.200s", rows)
	}

	st, conv := u.get(t, "/inbox/"+i64(maria.ConversationID))
	if st != http.StatusOK {
		t.Fatalf("conversation page: %d", st)
	}
	mustContain(t, "conversation", conv,
		"The jar arrived cracked.", "Also by text: &lt;b&gt;hi&lt;/b&gt;", // customer text is text, never markup
		`<span class="chip ch-api">API</span>`, `<span class="chip ch-sms">SMS</span>`,
		"Checking stock", "Internal note", "ana took this conversation",
		"maria@example.com", "&#43;15550100200", // identities across channels (html/template escapes +)
		`<option value="sms" selected data-latest>SMS (latest)</option>`, // reply goes to the latest channel by default
		`id="composer"`)
	_, parts := u.do(t, http.MethodGet, "/inbox/"+i64(maria.ConversationID)+"?partial=parts", "", "", "X-Parley-Fragment", "1")
	mustContain(t, "parts", parts, `<template data-part="timeline">`, `<template data-part="panel">`, "Checking stock")
	if st, _ := u.get(t, "/inbox/999999"); st != http.StatusNotFound {
		t.Errorf("missing conversation: %d", st)
	}
}

func TestEmailHTMLIsShownInASandboxedFrame(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ana", inbox.RoleAgent)
	res, err := e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<a@x>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "li@example.org"}, Subject: "Sign in",
		Text: "reset link expired", HTML: `<p>reset <b>link</b> "expired"</p>`})
	if err != nil {
		t.Fatal(err)
	}
	_, body := u.get(t, "/inbox/"+i64(res.ConversationID))
	mustContain(t, "email", body, `<iframe class="mailframe" sandbox="allow-same-origin" referrerpolicy="no-referrer" srcdoc="&lt;p&gt;reset &lt;b&gt;link&lt;/b&gt; &#34;expired&#34;&lt;/p&gt;"`)
	mustNotContain(t, "email", body, "<p>reset <b>link</b>")
}

func TestAgentsSeeOnlyTheirTeamsConversations(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	sup := e.newUser(t, "sue", inbox.RoleSupervisor)
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	res := e.customer(t, "b-1", "bill@example.com", "Bill Payer", "Invoice", "Invoice please")
	teamtest.Move(t, e.store, res.ConversationID, billing.ID)
	if st, _ := ana.get(t, "/inbox/"+i64(res.ConversationID)); st != http.StatusNotFound {
		t.Errorf("another team's conversation for an agent: %d, want 404 (ids do not leak)", st)
	}
	_, list := ana.get(t, "/inbox")
	mustNotContain(t, "agent's list", list, "Bill Payer")
	if st, _ := sup.get(t, "/inbox/"+i64(res.ConversationID)); st != http.StatusOK {
		t.Errorf("a supervisor: %d", st)
	}
	if err := e.store.AddTeamMember(ctx, billing.ID, ana.agent.ID); err != nil {
		t.Fatal(err)
	}
	_, teams := ana.get(t, "/inbox?view=teams")
	mustContain(t, "my teams", teams, "Bill Payer")
}

func TestCannedResponsesAreManagedByAdminsAndListedForAgents(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	agent := e.newUser(t, "ana", inbox.RoleAgent)
	if st, body := admin.postForm(t, "/admin/canned", url.Values{"shortcut": {"/Thanks"}, "title": {"Thanks"}, "body": {"Thank you for writing!"}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d %s", st, body)
	}
	if st, body := admin.postForm(t, "/admin/canned", url.Values{"shortcut": {"thanks"}, "title": {"Again"}, "body": {"x"}}); st != http.StatusBadRequest || !strings.Contains(body, "A canned response with this shortcut already exists.") {
		t.Fatalf("duplicate shortcut: %d", st)
	}
	if st, body := admin.postForm(t, "/admin/canned", url.Values{"shortcut": {"bad shortcut"}, "title": {"T"}, "body": {"B"}}); st != http.StatusBadRequest || !strings.Contains(body, "Please check shortcut") {
		t.Fatalf("bad shortcut: %d", st)
	}
	st, body := agent.get(t, "/api/v1/canned")
	if st != http.StatusOK {
		t.Fatalf("canned list: %d", st)
	}
	mustContain(t, "canned", body, `"shortcut":"thanks"`, `"body":"Thank you for writing!"`)
	_, page := admin.get(t, "/admin/canned?saved=canned")
	mustContain(t, "admin page", page, "/thanks", "Canned response saved.")
}

func TestAdminsManageAgentsAndTeams(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	if st, body := admin.postForm(t, "/admin/agents", url.Values{"name": {"Bob"}, "email": {"bob@example.com"}, "role": {"supervisor"}, "password": {"short"}}); st != http.StatusBadRequest || !strings.Contains(body, "Please check password") {
		t.Fatalf("short password: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/agents", url.Values{"name": {"Bob"}, "email": {"bob@example.com"}, "role": {"supervisor"}, "password": {"correct-horse-battery"}}); st != http.StatusSeeOther {
		t.Fatalf("create agent: %d", st)
	}
	bob, err := e.store.AgentByEmail(t.Context(), "bob@example.com")
	if err != nil || bob.Role != inbox.RoleSupervisor {
		t.Fatalf("bob: %+v %v", bob, err)
	}
	if st, _ := admin.postForm(t, "/admin/agents/"+i64(bob.ID)+"/role", url.Values{"role": {"agent"}}); st != http.StatusSeeOther {
		t.Fatalf("change role: %d", st)
	}
	if st, body := admin.postForm(t, "/admin/agents/"+i64(admin.agent.ID)+"/role", url.Values{"role": {"agent"}}); st != http.StatusBadRequest || !strings.Contains(body, "your own admin role") {
		t.Fatalf("self-demotion: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/teams", url.Values{"name": {"Returns"}}); st != http.StatusSeeOther {
		t.Fatalf("create team: %d", st)
	}
	team, err := e.store.TeamByName(t.Context(), "Returns")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := admin.postForm(t, "/admin/teams/"+i64(team.ID)+"/members", url.Values{"agent_id": {i64(bob.ID)}}); st != http.StatusSeeOther {
		t.Fatalf("add member: %d", st)
	}
	_, page := admin.get(t, "/admin/teams")
	mustContain(t, "teams page", page, "Returns", "Remove Bob from Returns")
	if _, err := e.store.CreateInbox(t.Context(), inbox.NewInbox{Kind: inbox.ChannelSMS, Name: "Support line",
		Settings: map[string]string{"from": "+15550001111"}, Secrets: map[string]string{"auth_token": "s3cret-token"}}); err != nil {
		t.Fatal(err)
	}
	_, inboxes := admin.get(t, "/admin/inboxes")
	mustContain(t, "inboxes", inboxes, "Support line", "<dt>from</dt><dd><code>&#43;15550001111</code>", "stored, sealed")
	mustNotContain(t, "inboxes", inboxes, "s3cret-token", "auth_token")
}

// TestHeaderSettingsLinksOpen follows every settings link of the page header, as an agent.
func TestHeaderSettingsLinksOpen(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	_, page := ana.get(t, "/inbox")
	links := regexp.MustCompile(`<a href="([^"]+)" class="settings-link">`).FindAllStringSubmatch(page, -1)
	if len(links) < 3 {
		t.Fatalf("%d settings links in the header, want API tokens, two-factor and password", len(links))
	}
	for _, l := range links {
		if st, body := ana.get(t, l[1]); st != http.StatusOK {
			t.Errorf("%s: %d %.300s", l[1], st, body)
		}
	}
}

// TestPagesNameTheirTemplate checks that a page names the template it was rendered from in
// body[data-view], which the browser tests' accessibility check reads to prove that it visited
// every page template.
func TestPagesNameTheirTemplate(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	for path, view := range map[string]string{"/inbox": "inbox", "/contacts": "contacts", "/settings/password": "password"} {
		_, page := ana.get(t, path)
		mustContain(t, path, page, ` data-view="`+view+`"`)
	}
}
