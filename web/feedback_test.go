package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// answered makes a resolved conversation of team (0: none) and answers its survey through the
// public form, as the customer does, returning the conversation's id.
func answered(t *testing.T, e *apiEnv, key string, team int64, score, comment string) int64 {
	t.Helper()
	ctx := context.Background()
	id := categoryConv(t, e, key, "Order "+key)
	if team != 0 {
		if _, err := e.pool.Exec(ctx, `UPDATE conversations SET team_id = $2 WHERE id = $1`, id, team); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.SetStatus(ctx, id, inbox.StatusResolved, inbox.Actor{AgentID: e.agent.ID}); err != nil {
		t.Fatal(err)
	}
	token, err := workflow.NewSurveys(e.store).SendNow(ctx, id, e.srv.URL)
	if err != nil || token == "" {
		t.Fatalf("survey of %d: %q, %v", id, token, err)
	}
	resp, err := http.PostForm(e.srv.URL+workflow.SurveyPath+token, url.Values{"score": {score}, "comment": {comment}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("survey form: %d", resp.StatusCode)
	}
	return id
}

// TestFeedbackPageFollowupAndCSV: the feedback page lists answers and filters them by score and
// team; the CSV carries them (hostile text neutralized); a 1 opens a follow-up for the team's
// supervisor that the conversation page shows with its form, whose close is in the timeline and
// the report; agents may not open the page.
func TestFeedbackPageFollowupAndCSV(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	sup, supToken := e.newAgent(t, "fbsup", inbox.RoleSupervisor)
	returns, err := e.store.CreateTeam(ctx, "Returns", []string{sup.Email})
	if err != nil {
		t.Fatal(err)
	}
	low := answered(t, e, "fb-low", returns.ID, "1", "=HYPERLINK(\"http://evil.example\") never again")
	mid := answered(t, e, "fb-mid", 0, "3", "It was fine")
	high := answered(t, e, "fb-high", returns.ID, "5", "Lovely")
	cookie := e.session(t, sup)
	row := func(id int64) string { return `href="/inbox/` + itoa(id) + `"` }

	cases := []struct {
		path    string
		in, out []int64
	}{
		{"/feedback", []int64{low, mid, high}, nil},
		{"/feedback?score=1-2", []int64{low}, []int64{mid, high}},
		{"/feedback?score=3", []int64{mid}, []int64{low, high}},
		{"/feedback?score=4-5", []int64{high}, []int64{low, mid}},
		{"/feedback?team=" + itoa(returns.ID), []int64{low, high}, []int64{mid}},
		{"/feedback?channel=email", nil, []int64{low, mid, high}},
	}
	for _, c := range cases {
		st, body := e.withCookie(t, cookie, "GET", c.path, nil)
		if st != http.StatusOK {
			t.Fatalf("%s: %d", c.path, st)
		}
		table := body[strings.Index(body, `id="feedback"`):strings.Index(body, `id="followups"`)]
		for _, id := range c.in {
			if !strings.Contains(table, row(id)) {
				t.Errorf("%s lacks conversation %d", c.path, id)
			}
		}
		for _, id := range c.out {
			if strings.Contains(table, row(id)) {
				t.Errorf("%s shows conversation %d", c.path, id)
			}
		}
	}
	for _, path := range []string{"/feedback?score=6", "/feedback?score=4-2", "/feedback?channel=fax", "/feedback?team=x"} {
		if st, _ := e.withCookie(t, cookie, "GET", path, nil); st != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, st)
		}
	}
	st, csv := e.withCookie(t, cookie, "GET", "/feedback.csv?score=1-2", nil)
	if st != http.StatusOK || !strings.Contains(csv, "/inbox/"+itoa(low)) || !strings.Contains(csv, `'=HYPERLINK`) ||
		strings.Contains(csv, "/inbox/"+itoa(high)) || !strings.Contains(csv, "Returns") {
		t.Fatalf("CSV: %d %q", st, csv)
	}

	// The follow-up: one, for the team's supervisor, on the API and the conversation page.
	var list struct {
		Followups []workflow.Followup `json:"followups"`
	}
	if st := e.doAs(t, supToken, "GET", "/api/v1/followups?status=open", "", &list); st != http.StatusOK || len(list.Followups) != 1 ||
		list.Followups[0].ConversationID != low || list.Followups[0].AssigneeID == nil || *list.Followups[0].AssigneeID != sup.ID {
		t.Fatalf("follow-ups: %d %+v, want one of conversation %d for the supervisor", st, list, low)
	}
	f := list.Followups[0]
	_, page := e.withCookie(t, cookie, "GET", "/inbox/"+itoa(low), nil)
	mustHave := []string{`action="/followups/` + itoa(f.ID) + `/close"`, "Customer rated 1/5: &#39;=HYPERLINK", "Follow-up opened for fbsup"}
	for _, want := range mustHave {
		if !strings.Contains(page, want) {
			t.Fatalf("conversation page lacks %q", want)
		}
	}
	if st, _ := e.withCookie(t, cookie, "POST", "/followups/"+itoa(f.ID)+"/close", url.Values{"outcome": {""}}); st != http.StatusBadRequest {
		t.Fatalf("close without an outcome: %d, want 400", st)
	}
	st, _ = e.withCookie(t, cookie, "POST", "/followups/"+itoa(f.ID)+"/close", url.Values{"outcome": {"refunded"},
		"note": {"Refunded the order"}, "back": {"/inbox/" + itoa(low)}})
	if st != http.StatusSeeOther {
		t.Fatalf("close: %d, want 303", st)
	}
	_, page = e.withCookie(t, cookie, "GET", "/inbox/"+itoa(low), nil)
	if !strings.Contains(page, "fbsup closed the follow-up: refunded (Refunded the order)") || strings.Contains(page, `action="/followups/`) {
		t.Fatal("the conversation page does not show the closed follow-up in its timeline, or still offers the form")
	}
	if st := e.doAs(t, supToken, "POST", "/api/v1/followups/"+itoa(f.ID)+"/close", `{"outcome":"contacted"}`, nil); st != http.StatusConflict {
		t.Fatalf("closing again: %d, want 409", st)
	}
	_, fb := e.withCookie(t, cookie, "GET", "/feedback", nil)
	if !strings.Contains(fb, "0 open, 1 closed") || !strings.Contains(fb, "refunded 1") {
		t.Fatalf("the report does not count the close: %s", fb[strings.Index(fb, `id="followup-report"`):][:200])
	}

	var api struct {
		Answers []workflow.Feedback `json:"answers"`
		Next    string              `json:"next_cursor"`
	}
	if st := e.doAs(t, supToken, "GET", "/api/v1/feedback?score=1-2&limit=5", "", &api); st != http.StatusOK || len(api.Answers) != 1 ||
		api.Answers[0].ConversationID != low || api.Answers[0].FollowupStatus == nil || *api.Answers[0].FollowupStatus != workflow.FollowupDone {
		t.Fatalf("feedback API: %d %+v", st, api)
	}
	_, contact := e.withCookie(t, cookie, "GET", "/contacts/"+itoa(api.Answers[0].ContactID), nil)
	if i := strings.Index(contact, `id="survey-answers"`); i < 0 || !strings.Contains(contact[i:], "<strong>1/5</strong>") ||
		!strings.Contains(contact[i:], row(low)) || !strings.Contains(contact[i:], "follow-up done") {
		t.Fatal("the contact page does not list the customer's answer")
	}
	if st := e.doAs(t, supToken, "GET", "/api/v1/feedback?limit=2", "", &api); st != http.StatusOK || len(api.Answers) != 2 || api.Next == "" {
		t.Fatalf("first page: %d %+v", st, api)
	}
	first, next := api.Answers, api.Next
	api.Answers, api.Next = nil, ""
	if st := e.doAs(t, supToken, "GET", "/api/v1/feedback?limit=2&cursor="+next, "", &api); st != http.StatusOK || len(api.Answers) != 1 ||
		api.Answers[0].SurveyID == first[0].SurveyID || api.Answers[0].SurveyID == first[1].SurveyID || api.Next != "" {
		t.Fatalf("second page: %d %+v", st, api)
	}
	if st := e.do(t, "GET", "/api/v1/feedback", "", nil); st != http.StatusForbidden {
		t.Fatalf("an agent: %d, want 403", st)
	}
}

// TestRecoveryThresholdSetting: the threshold is a global lifecycle setting; a PUT without it
// keeps it, one out of 0-5 is refused and changes nothing.
func TestRecoveryThresholdSetting(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, admin := e.newAgent(t, "fbadmin", inbox.RoleAdmin)
	base := `"pending_resolve_after":"72h","resolved_close_after":"168h","auto_resolve_message":"","survey_enabled":true,"survey_valid_for":"168h"`
	var got map[string]any
	if st := e.doAs(t, admin, "GET", "/api/v1/sla/settings", "", &got); st != http.StatusOK || got["recovery_threshold"] != float64(2) {
		t.Fatalf("default: %d %v, want 2", st, got)
	}
	if st := e.doAs(t, admin, "PUT", "/api/v1/sla/settings", `{`+base+`,"recovery_threshold":3}`, &got); st != http.StatusOK || got["recovery_threshold"] != float64(3) {
		t.Fatalf("set 3: %d %v", st, got)
	}
	if st := e.doAs(t, admin, "PUT", "/api/v1/sla/settings", `{`+base+`}`, &got); st != http.StatusOK || got["recovery_threshold"] != float64(3) {
		t.Fatalf("absent: %d %v, want 3 kept", st, got)
	}
	if st := e.doAs(t, admin, "PUT", "/api/v1/sla/settings", `{`+base+`,"recovery_threshold":9}`, nil); st != http.StatusBadRequest {
		t.Fatalf("9: %d, want 400", st)
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/sla/settings", "", &got); st != http.StatusOK || got["recovery_threshold"] != float64(3) {
		t.Fatalf("after a refused change: %d %v, want 3", st, got)
	}
}
