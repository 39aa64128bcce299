package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

func TestSLAAPIRolesAndInput(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, sup := e.newAgent(t, "sup", inbox.RoleSupervisor)
	_, admin := e.newAgent(t, "admin", inbox.RoleAdmin)
	if st := e.do(t, "GET", "/api/v1/sla/board", "", nil); st != http.StatusForbidden {
		t.Fatalf("agent GET board: %d, want 403", st)
	}
	var board struct {
		Conversations []workflow.BoardEntry `json:"conversations"`
	}
	if st := e.doAs(t, sup, "GET", "/api/v1/sla/board", "", &board); st != http.StatusOK || board.Conversations == nil {
		t.Fatalf("supervisor GET board: %d %+v", st, board)
	}
	body := `{"name": "Urgent", "priority": "urgent", "first_response": "15m", "resolution": "4h",
		"calendar": {"zone": "Europe/Berlin", "week": {"mon": ["09:00-17:00"]}}}`
	if st := e.doAs(t, sup, "POST", "/api/v1/sla/policies", body, nil); st != http.StatusForbidden {
		t.Fatalf("supervisor POST policy: %d, want 403", st)
	}
	var p struct {
		ID            int64 `json:"id"`
		FirstResponse int64 `json:"first_response_secs"`
	}
	if st := e.doAs(t, admin, "POST", "/api/v1/sla/policies", body, &p); st != http.StatusCreated || p.FirstResponse != 900 {
		t.Fatalf("admin POST policy: %d %+v", st, p)
	}
	bad := []struct{ body, want string }{
		{`{"name": "x", "first_response": "soon"}`, "first_response must be a duration"},
		{`{"name": "y"}`, "first_response"},
		{`{"name": "z", "first_response": "1h", "calendar": {"zone": "UTC", "wek": {}}}`, "wek"},
		{`{"name": "Urgent", "first_response": "1h", "priority": "high"}`, "exists"},
	}
	for _, b := range bad {
		var ae apiErr
		st := e.doAs(t, admin, "POST", "/api/v1/sla/policies", b.body, &ae)
		if (st != http.StatusBadRequest && st != http.StatusConflict) || !strings.Contains(ae.Error, b.want) {
			t.Errorf("POST policy %s: %d %+v, want 400/409 mentioning %q", b.body, st, ae, b.want)
		}
	}
	var ae apiErr
	if st := e.doAs(t, sup, "GET", "/api/v1/sla/breaches?from=yesterday", "", &ae); st != http.StatusBadRequest || !strings.Contains(ae.Error, "from") {
		t.Fatalf("bad from: %d %+v", st, ae)
	}
	var page struct {
		Breaches []workflow.Breach `json:"breaches"`
	}
	if st := e.doAs(t, sup, "GET", "/api/v1/sla/breaches?from=2026-01-01&to=2027-01-01", "", &page); st != http.StatusOK || page.Breaches == nil {
		t.Fatalf("breaches: %d %+v", st, page)
	}
	set := `{"pending_resolve_after": "48h", "resolved_close_after": "0s", "auto_resolve_message": "Closing for now.",
		"survey_enabled": true, "survey_valid_for": "72h"}`
	var got map[string]any
	if st := e.doAs(t, admin, "PUT", "/api/v1/sla/settings", set, &got); st != http.StatusOK || got["pending_resolve_after"] != "48h0m0s" ||
		got["resolved_close_after"] != "0s" {
		t.Fatalf("PUT settings: %d %v", st, got)
	}
}

// TestSurveyLinkRecordsOnlyOnPost resolves a conversation through the API with a real River
// client running, follows the survey link the customer gets, and answers it.
func TestSurveyLinkRecordsOnlyOnPost(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	client, err := workflow.NewClient(workflow.Config{Pool: e.pool, Store: e.store, PublicURL: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	var created ids
	if st := e.do(t, "POST", "/api/v1/inbound", `{"external_id": "s-1", "contact": {"email": "sam@example.com"}, "text": "It broke"}`, &created); st != http.StatusCreated {
		t.Fatalf("inbound: %d", st)
	}
	conv := strconv.FormatInt(created.ConversationID, 10)
	if st := e.do(t, "POST", "/api/v1/conversations/"+conv+"/messages", `{"type": "reply", "text": "Fixed!", "status": "resolved"}`, nil); st != http.StatusCreated {
		t.Fatalf("reply and resolve: %d", st)
	}
	link := ""
	for deadline := time.Now().Add(30 * time.Second); link == ""; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no survey message was sent")
		}
		msgs, err := e.store.Messages(ctx, created.ConversationID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Auto == workflow.AutoSurvey {
				link, _ = m.Metadata["survey_url"].(string)
			}
		}
	}
	token := strings.TrimPrefix(link, e.srv.URL+workflow.SurveyPath)
	surveys := workflow.NewSurveys(e.store)

	for _, u := range []string{link, link + "?score=4"} {
		st, page := fetch(t, "GET", u, "")
		if st != http.StatusOK || !strings.Contains(page, `<form method="post">`) || !strings.Contains(page, "It broke") {
			t.Fatalf("GET %s: %d %.200s", u, st, page)
		}
	}
	if _, page := fetch(t, "GET", link+"?score=4", ""); !strings.Contains(page, `value="4" required checked`) {
		t.Fatal("?score=4 is not pre-selected")
	}
	if sv, err := surveys.ByToken(ctx, token); err != nil || sv.Score != nil {
		t.Fatalf("after two GETs: %+v, %v; want no score", sv, err)
	}
	if st, page := fetch(t, "POST", link, url.Values{"score": {"9"}}.Encode()); st != http.StatusBadRequest || !strings.Contains(page, "from 1 to 5") {
		t.Fatalf("POST score 9: %d %.200s", st, page)
	}
	if st, page := fetch(t, "POST", link, url.Values{"score": {"4"}, "comment": {"Fast <b>and</b> kind"}}.Encode()); st != http.StatusOK ||
		!strings.Contains(page, "You rated us 4") {
		t.Fatalf("POST score 4: %d %.300s", st, page)
	}
	if sv, err := surveys.ByToken(ctx, token); err != nil || *sv.Score != 4 || sv.Comment != "Fast <b>and</b> kind" || sv.AnsweredVia != "form" {
		t.Fatalf("after POST: %+v, %v", sv, err)
	}
	if _, page := fetch(t, "GET", link, ""); !strings.Contains(page, "Fast &lt;b&gt;and&lt;/b&gt; kind") {
		t.Fatal("the comment is not shown escaped on the form")
	}
	if st, _ := fetch(t, "GET", e.srv.URL+workflow.SurveyPath+"not-a-token", ""); st != http.StatusNotFound {
		t.Fatalf("unknown token: %d, want 404", st)
	}
	if st, _ := fetch(t, "POST", link, "comment="+strings.Repeat("x", 20<<10)); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized form: %d, want 413", st)
	}
}

func fetch(t *testing.T, method, u, form string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
