package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

// categoryConv posts a customer's message and returns its conversation.
func categoryConv(t *testing.T, e *apiEnv, key, subject string) int64 {
	t.Helper()
	var in ids
	if st := e.do(t, "POST", "/api/v1/inbound", `{"external_id":"`+key+`","contact":{"email":"`+key+`@example.com"},"subject":"`+
		subject+`","text":"it arrived broken"}`, &in); st != http.StatusCreated && st != http.StatusOK {
		t.Fatalf("inbound: %d", st)
	}
	return in.ConversationID
}

// addComplaintCategory adds Delivery › Damaged, a complaint, through the admin page's store calls.
func addComplaintCategory(t *testing.T, e *apiEnv) inbox.Category {
	t.Helper()
	var damaged inbox.Category
	if err := e.store.InTx(context.Background(), func(tx pgx.Tx) (err error) {
		damaged, err = e.store.EnsureCategoryPathTx(context.Background(), tx, "Delivery › Damaged", true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return damaged
}

// Agents set the category by path or id and the resolution code through the API; bad input is
// a 400 that changes nothing, a conversation the caller may not see a 404; every change is in
// the conversation's trail and its JSON.
func TestCategoryAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	damaged := addComplaintCategory(t, e)
	id := itoa(categoryConv(t, e, "cat-1", "Broken"))
	var c inbox.Conversation
	if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/category", `{"category":"delivery > damaged"}`, &c); st != http.StatusOK ||
		c.Category != "Delivery › Damaged" || c.CategoryID == nil || *c.CategoryID != damaged.ID || !c.Complaint {
		t.Fatalf("by path: %d %+v", st, c)
	}
	var list struct {
		Categories      []inbox.Category       `json:"categories"`
		ResolutionCodes []inbox.ResolutionCode `json:"resolution_codes"`
	}
	if st := e.do(t, "GET", "/api/v1/categories", "", &list); st != http.StatusOK || len(list.ResolutionCodes) == 0 {
		t.Fatalf("lists: %d %+v", st, list)
	}
	code := list.ResolutionCodes[0]
	for _, body := range []string{`{}`, `{"category":"Delivery › Lost"}`, `{"category_id":999999}`,
		`{"category_id":0,"resolution_code_id":999999}`, `{"category":"Billing","category_id":` + itoa(damaged.ID) + `}`, `{"colour":"red"}`} {
		var ae apiErr
		if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/category", body, &ae); st != http.StatusBadRequest || ae.Error == "" {
			t.Errorf("%s: %d %+v", body, st, ae)
		}
	}
	if st := e.do(t, "GET", "/api/v1/conversations/"+id, "", &c); st != http.StatusOK || c.CategoryID == nil || *c.CategoryID != damaged.ID {
		t.Fatalf("bad input changed it: %+v", c)
	}
	// Resolving the complaint without a code is refused, naming what is missing.
	var ae apiErr
	if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/status", `{"status":"resolved"}`, &ae); st != http.StatusBadRequest ||
		!strings.Contains(ae.Error, "resolution code") {
		t.Fatalf("resolve without a code: %d %+v", st, ae)
	}
	if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/status", `{"status":"resolved","resolution_code_id":`+itoa(code.ID)+`}`, &c); st != http.StatusOK ||
		c.Status != inbox.StatusResolved || c.ResolutionCode != code.Name {
		t.Fatalf("resolve with a code: %d %+v", st, c)
	}
	if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND agent_id = $2
		AND kind IN ('category', 'resolution_code')`, c.ID, e.agent.ID); n != 2 {
		t.Fatalf("audit entries = %d, want the category and the code", n)
	}
	// An agent of no team sees no unrouted conversation: 404, as for a missing id.
	_, outsider := e.newAgent(t, "outsider", inbox.RoleAgent)
	if st := e.doAs(t, outsider, "POST", "/api/v1/conversations/"+id+"/category", `{"category_id":0}`, nil); st != http.StatusNotFound {
		t.Fatalf("outsider: %d", st)
	}
}

// A reply sent with "resolve" on a complaint without a code is refused whole (nothing sent);
// with resolution_code_id it is sent, coded and resolved in one transaction; a code without a
// status is a 400.
func TestSendAndResolveAComplaint(t *testing.T) {
	t.Parallel()
	e := setup(t)
	damaged := addComplaintCategory(t, e)
	id := itoa(categoryConv(t, e, "cat-send-1", "Broken"))
	if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/category", `{"category_id":`+itoa(damaged.ID)+`}`, nil); st != http.StatusOK {
		t.Fatalf("category: %d", st)
	}
	var list struct {
		ResolutionCodes []inbox.ResolutionCode `json:"resolution_codes"`
	}
	if st := e.do(t, "GET", "/api/v1/categories", "", &list); st != http.StatusOK || len(list.ResolutionCodes) == 0 {
		t.Fatalf("lists: %d %+v", st, list)
	}
	code := list.ResolutionCodes[0]
	replies := func() int {
		return e.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND direction = 'outbound'`, id)
	}
	for body, want := range map[string]string{
		`{"text":"Refunded, sorry!","status":"resolved"}`:                         "resolution code",
		`{"text":"Refunded, sorry!","resolution_code_id":` + itoa(code.ID) + `}`:  "goes with a status",
		`{"text":"Refunded, sorry!","status":"resolved","resolution_code_id":-1}`: "resolution code",
	} {
		var ae apiErr
		if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/messages", body, &ae); st != http.StatusBadRequest || !strings.Contains(ae.Error, want) {
			t.Errorf("%s: %d %+v, want 400 naming %q", body, st, ae, want)
		}
	}
	if n := replies(); n != 0 {
		t.Fatalf("%d replies stored by refused requests", n)
	}
	if st := e.do(t, "POST", "/api/v1/conversations/"+id+"/messages",
		`{"text":"Refunded, sorry!","status":"resolved","resolution_code_id":`+itoa(code.ID)+`}`, nil); st != http.StatusCreated {
		t.Fatalf("send and resolve with a code: %d", st)
	}
	var c inbox.Conversation
	if st := e.do(t, "GET", "/api/v1/conversations/"+id, "", &c); st != http.StatusOK || c.Status != inbox.StatusResolved ||
		c.ResolutionCode != code.Name || replies() != 1 {
		t.Fatalf("after send and resolve: %d %+v, %d replies", st, c, replies())
	}
}

// A team that requires a category refuses an agent's resolve of a conversation without one,
// through the API, with a message that says so.
func TestRequiredCategoryOnResolve(t *testing.T) {
	t.Parallel()
	e := setup(t)
	id := categoryConv(t, e, "req-1", "Question")
	admin, _ := e.newAgent(t, "admin", inbox.RoleAdmin)
	team, err := e.store.TeamByName(context.Background(), "Front desk")
	if err != nil {
		teams, _ := e.store.Teams(context.Background())
		team = teams[0]
	}
	st, _ := e.withCookie(t, e.session(t, admin), "POST", "/admin/teams/"+itoa(team.ID)+"/require-category", url.Values{"on": {"true"}})
	if st != http.StatusSeeOther {
		t.Fatalf("require: %d", st)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = 'team.changed' AND data->>'action' = 'require_category'`); n != 1 {
		t.Fatalf("audit_log = %d", n)
	}
	teamtest.Move(t, e.store, id, team.ID)
	var ae apiErr
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(id)+"/status", `{"status":"resolved"}`, &ae); st != http.StatusBadRequest ||
		!strings.Contains(ae.Error, "requires a category") {
		t.Fatalf("resolve without a category: %d %+v", st, ae)
	}
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(id)+"/category", `{"category":"Question"}`, nil); st != http.StatusOK {
		t.Fatalf("category: %d", st)
	}
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(id)+"/status", `{"status":"resolved"}`, nil); st != http.StatusOK {
		t.Fatalf("resolve with a category: %d", st)
	}
}

// The register and the breach log: supervisors' pages whose rows link to the conversation, and
// CSV files in which a hostile subject stays text; agents are refused.
func TestRegisterAndBreachLogPagesAndCSV(t *testing.T) {
	t.Parallel()
	e := setup(t)
	addComplaintCategory(t, e)
	id := categoryConv(t, e, "reg-1", "=HYPERLINK(\\\"http://evil.example\\\")")
	if st := e.do(t, "POST", "/api/v1/conversations/"+itoa(id)+"/category", `{"category":"Delivery › Damaged"}`, nil); st != http.StatusOK {
		t.Fatalf("category: %d", st)
	}
	now := time.Now()
	sup, supToken := e.newAgent(t, "sup", inbox.RoleSupervisor)
	// Held by a team and an agent: the pages name them (pointer ids in the templates).
	team, err := e.store.CreateTeam(context.Background(), "Returns", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), `UPDATE conversations SET team_id = $2, assignee_id = $3 WHERE id = $1`,
		id, team.ID, sup.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), `INSERT INTO sla_breaches (conversation_id, target, started_at, due_at, breached_at, team_id, assignee_id)
		VALUES ($1, 'first_response', $2, $3, $3, $4, $5)`, id, now.Add(-2*time.Hour), now.Add(-time.Hour), team.ID, sup.ID); err != nil {
		t.Fatal(err)
	}
	cookie := e.session(t, sup)
	link := `href="/inbox/` + itoa(id) + `"`
	for _, path := range []string{"/complaints", "/complaints?stage=received", "/sla/breaches", "/sla/breaches?target=first_response"} {
		if st, body := e.withCookie(t, cookie, "GET", path, nil); st != http.StatusOK || !strings.Contains(body, link) || !strings.Contains(body, "Returns") {
			t.Errorf("%s: %d, link to the conversation: %v, team named: %v", path, st, strings.Contains(body, link), strings.Contains(body, "Returns"))
		}
	}
	for _, path := range []string{"/complaints?stage=resolved", "/sla/breaches?target=resolution"} {
		if st, body := e.withCookie(t, cookie, "GET", path, nil); st != http.StatusOK || strings.Contains(body, link) {
			t.Errorf("%s: %d, filtered out: %v", path, st, !strings.Contains(body, link))
		}
	}
	for _, path := range []string{"/complaints?stage=lost", "/sla/breaches?target=late", "/complaints?team=x"} {
		if st, _ := e.withCookie(t, cookie, "GET", path, nil); st != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, st)
		}
	}
	for _, path := range []string{"/complaints.csv", "/sla/breaches.csv"} {
		st, body := e.withCookie(t, cookie, "GET", path, nil)
		if st != http.StatusOK || !strings.Contains(body, "/inbox/"+itoa(id)) || !strings.Contains(body, `'=HYPERLINK`) {
			t.Errorf("%s: %d %q", path, st, body)
		}
	}
	var page struct {
		Complaints []struct {
			ConversationID int64  `json:"conversation_id"`
			Stage          string `json:"stage"`
			SLA            string `json:"sla"`
		} `json:"complaints"`
	}
	if st := e.doAs(t, supToken, "GET", "/api/v1/complaints", "", &page); st != http.StatusOK || len(page.Complaints) != 1 ||
		page.Complaints[0].Stage != "received" || page.Complaints[0].SLA != "breached" {
		t.Fatalf("complaints API: %d %+v", st, page)
	}
	if st := e.do(t, "GET", "/api/v1/complaints", "", nil); st != http.StatusForbidden {
		t.Fatalf("an agent: %d", st)
	}
}
