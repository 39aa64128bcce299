package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// urlPattern finds the links in a mail's text.
var urlPattern = regexp.MustCompile(`https?://[^\s"<>]+|(?:^|\s)(/[a-z][^\s"<>]*)`)

// TestEmittedLinksResolve collects every link the product hands out about a conversation or a
// page (the notification centre's items, the Slack alert's button, the system mails: the
// notification mail and digest, the follow-up notice, the weekly summary, the password reset,
// and the link columns of the CSV exports) and follows each on the real router with the
// session of an agent entitled to it: none may answer 404 (or any error).
func TestEmittedLinksResolve(t *testing.T) {
	ctx := context.Background()
	m := newMatrix(t)
	var agentA, sup, supToken caller // sup signs in with a session; supToken with its API token
	for _, c := range m.callers() {
		switch {
		case c.role == inbox.RoleAgent && c.team == "A" && !c.dead && !c.integration:
			agentA = c
		case c.role == inbox.RoleSupervisor && c.cookie != "":
			sup = c
		case c.role == inbox.RoleSupervisor && c.token != "":
			supToken = c
		}
	}
	store, public := m.a.store, m.a.cfg.PublicURL
	conv, _, _ := m.customer("A")
	var links []string
	collect := func(from, text string) {
		n := 0
		for _, mm := range urlPattern.FindAllStringSubmatch(text, -1) {
			l := strings.TrimSpace(mm[0])
			if l != "" {
				links, n = append(links, from+"|"+l), n+1
			}
		}
		if n == 0 {
			t.Errorf("%s holds no link:\n%s", from, text)
		}
	}

	// The notification centre: an assignment to the supervisor by agent A, and a mention.
	if _, err := store.Assign(ctx, conv, sup.id, inbox.Actor{AgentID: agentA.id}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Note(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: agentA.id}, Text: "@supervisor see this"}); err != nil {
		t.Fatal(err)
	}
	st, body := m.do(supToken, "GET", "/api/v1/notifications", "")
	var list struct {
		Items []inbox.Notification `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &list); st != http.StatusOK || err != nil || len(list.Items) != 2 {
		t.Fatalf("notifications: %d %s %v", st, body, err)
	}
	for _, n := range list.Items {
		links = append(links, "notification|"+n.URL)
	}

	// The Slack alert's button, and the mails.
	links = append(links, "slack alert|"+slack.NewAlerter(store, "", public, nil).ConversationURL(conv))
	collect("notification mail", workflow.NotificationMailText(list.Items, "Sue", public))
	collect("follow-up mail", workflow.FollowupMailText(workflow.Followup{ConversationID: conv, Score: 1, Subject: "Help"}, "Sue", public))
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	collect("weekly summary", workflow.SummaryText(workflow.Summary{From: from, To: from.AddDate(0, 0, 7)}, "Sue", public))
	token, _, err := store.IssueReset(ctx, agentA.id)
	if err != nil {
		t.Fatal(err)
	}
	collect("password reset mail", workflow.ResetMailText("Ann", public, token))

	// The CSV exports' link columns, with a breach and so a row in the breach log.
	if _, err := m.a.pool.Exec(ctx, `INSERT INTO sla_breaches (conversation_id, target, started_at, due_at, breached_at, team_id)
		VALUES ($1, 'first_response', now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour', $2)`, conv, m.teamA.ID); err != nil {
		t.Fatal(err)
	}
	csvLinks := 0
	for _, path := range []string{"/sla/breaches.csv", "/complaints.csv", "/feedback.csv"} {
		st, body := m.page(sup, path)
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d", path, st)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if strings.HasPrefix(cell, "http://") || strings.HasPrefix(cell, "https://") {
					links, csvLinks = append(links, path+"|"+cell), csvLinks+1
				}
			}
		}
	}
	if csvLinks == 0 {
		t.Fatal("the CSV exports held no link: the breach log's row should")
	}

	for _, l := range links {
		from, link, _ := strings.Cut(l, "|")
		u, err := url.Parse(link)
		if err != nil {
			t.Errorf("%s: %q is no URL: %v", from, link, err)
			continue
		}
		if u.IsAbs() && !strings.HasPrefix(link, public) {
			t.Errorf("%s: %q does not start with the public URL %q", from, link, public)
			continue
		}
		if st, _ := m.page(sup, u.RequestURI()); st != http.StatusOK {
			t.Errorf("%s: GET %s answered %d, want 200", from, u.RequestURI(), st)
		}
	}
	if len(links) < 8 {
		t.Fatalf("only %d links collected: %v", len(links), links)
	}
}

// page GETs path as a browser signed in as c would (the session cookie, HTML accepted) and
// returns the status and body, following no redirect.
func (m *matrix) page(c caller, path string) (int, string) {
	m.t.Helper()
	req, err := http.NewRequest("GET", m.srv.URL+path, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	req.AddCookie(&http.Cookie{Name: "parley_session", Value: c.cookie})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
