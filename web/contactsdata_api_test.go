package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

// rawAs sends a request with token and a content type and returns the status and body; the
// answer is checked against the API description like every other.
func (e *apiEnv) rawAs(t *testing.T, token, method, path, ctype, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(t, req, resp, raw)
	return resp.StatusCode, string(raw)
}

// TestContactsAndCompaniesAPI walks the contacts and companies API as an admin, a supervisor and
// an agent, every answer checked against web/apidoc/openapi.yaml: companies are added, read and
// changed; attributes defined; contacts listed, read, changed; an import previewed, refused
// (422, per row and column), too large (413) and done; the contacts exported as CSV with
// formulas defused; duplicates suggested and merged, the merge undone. An agent may neither
// import nor export, and sees neither another team's contact nor its duplicates.
func TestContactsAndCompaniesAPI(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	_, admin := e.newAgent(t, "admin", inbox.RoleAdmin)
	_, sup := e.newAgent(t, "sup", inbox.RoleSupervisor)

	var co inbox.Company
	if st := e.doAs(t, sup, "POST", "/api/v1/companies", `{"name":"Acme","domains":["acme.example"],"tier":"gold"}`, &co); st != http.StatusCreated {
		t.Fatalf("add company: %d", st)
	}
	if st := e.doAs(t, sup, "POST", "/api/v1/companies", `{"name":"Free","domains":["gmail.com"]}`, nil); st != http.StatusBadRequest {
		t.Fatalf("a free-mail domain: %d, want 400", st)
	}
	if st := e.doAs(t, admin, "POST", "/api/v1/attributes", `{"object":"company","key":"seats","label":"Seats","type":"number"}`, nil); st != http.StatusOK {
		t.Fatalf("define: %d", st)
	}
	if st := e.doAs(t, admin, "POST", "/api/v1/attributes", `{"object":"contact","key":"plan","label":"Plan","type":"list","options":["free","pro"]}`, nil); st != http.StatusOK {
		t.Fatalf("define: %d", st)
	}
	if st := e.doAs(t, sup, "PATCH", fmt.Sprintf("/api/v1/companies/%d", co.ID), `{"attributes":{"seats":"40"}}`, &co); st != http.StatusOK || co.Attributes["seats"] != 40.0 {
		t.Fatalf("patch company: %d %+v", st, co)
	}
	if st := e.do(t, "GET", fmt.Sprintf("/api/v1/companies/%d", co.ID), "", &co); st != http.StatusOK || co.Name != "Acme" {
		t.Fatalf("an agent reads a company: %d %+v", st, co)
	}
	if st := e.do(t, "GET", "/api/v1/companies/999999", "", nil); st != http.StatusNotFound {
		t.Fatalf("no such company: %d", st)
	}
	if st := e.doAs(t, admin, "GET", "/api/v1/attributes", "", nil); st != http.StatusOK {
		t.Fatalf("attributes: %d", st)
	}

	// Maria writes from acme.example and joins Acme; her conversation is in a team the agent is not in.
	maria, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "m1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "maria@acme.example"}, Name: "Maria Lopez", Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	teamtest.Move(t, e.store, maria.ConversationID, billing.ID)
	var page inbox.ContactPage
	if st := e.doAs(t, sup, "GET", fmt.Sprintf("/api/v1/contacts?company=%d", co.ID), "", &page); st != http.StatusOK || len(page.Contacts) != 1 {
		t.Fatalf("the company's contacts: %d %+v", st, page)
	}
	if st := e.doAs(t, sup, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", maria.ContactID), `{"attributes":{"plan":"pro"},"notes":"=1+2"}`, nil); st != http.StatusOK {
		t.Fatalf("patch contact: %d", st)
	}
	if st := e.doAs(t, sup, "GET", fmt.Sprintf("/api/v1/contacts/%d", maria.ContactID), "", nil); st != http.StatusOK {
		t.Fatalf("contact: %d", st)
	}

	// The import: a preview, a refusal, a file too large, then the import itself.
	file := "name,email,phone,plan,company\n" +
		"Maria L.,maria+shop@acme.example,+15550100200,free,\n" +
		"Maria Lopez,maria@acme.example,,pro,Acme\n"
	st, body := e.rawAs(t, admin, "POST", "/api/v1/contacts/import?dry_run=true", "text/csv", file)
	if st != http.StatusOK || !strings.Contains(body, `"created":1`) || !strings.Contains(body, `"updated":1`) {
		t.Fatalf("dry run: %d %s", st, body)
	}
	st, body = e.rawAs(t, admin, "POST", "/api/v1/contacts/import", "text/csv", "email,plan\nx@example.com,gold\n")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `"row":2,"field":"plan"`) {
		t.Fatalf("a refused row: %d %s", st, body)
	}
	big := "email\n" + strings.Repeat("x@example.com\n", inbox.MaxImportRows+1)
	if st, body := e.rawAs(t, admin, "POST", "/api/v1/contacts/import", "text/csv", big); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("too many rows: %d %s", st, body)
	}
	if st, _ := e.rawAs(t, admin, "POST", "/api/v1/contacts/import", "text/csv", "email\n"+strings.Repeat("x", 5<<20)); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("over 5 MB: %d", st)
	}
	if st, _ := e.rawAs(t, admin, "POST", "/api/v1/contacts/import", "text/csv", "email\n\"open"); st != http.StatusBadRequest {
		t.Fatalf("not CSV: %d", st)
	}
	if st, _ := e.rawAs(t, e.token, "POST", "/api/v1/contacts/import", "text/csv", file); st != http.StatusForbidden {
		t.Fatalf("an agent imports: %d, want 403", st)
	}
	if st, body := e.rawAs(t, admin, "POST", "/api/v1/contacts/import", "text/csv", file); st != http.StatusOK || !strings.Contains(body, `"dry_run":false`) {
		t.Fatalf("import: %d %s", st, body)
	}
	shop, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "maria+shop@acme.example")
	if err != nil || shop.Name != "Maria L." || shop.CompanyID == nil || *shop.CompanyID != co.ID {
		t.Fatalf("imported contact %+v: %v", shop, err)
	}

	// The export: every contact, formulas defused; agents may not.
	st, body = e.rawAs(t, sup, "GET", fmt.Sprintf("/api/v1/contacts/export?company=%d", co.ID), "", "")
	if st != http.StatusOK {
		t.Fatalf("export: %d %s", st, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != "id,name,email,phone,company,tier,tags,notes,attr.plan,last_seen_at,created_at" {
		t.Fatalf("export %q: %v", body, err)
	}
	if rows[2][1] != "Maria Lopez" || rows[2][7] != "'=1+2" || rows[2][8] != "pro" || rows[1][3] != "+15550100200" {
		t.Fatalf("exported rows %q", rows[1:])
	}
	if st, _ := e.rawAs(t, e.token, "GET", "/api/v1/contacts/export", "", ""); st != http.StatusForbidden {
		t.Fatalf("an agent exports: %d, want 403", st)
	}
	if st, _ := e.rawAs(t, sup, "GET", "/api/v1/contacts/export?seen=0", "", ""); st != http.StatusBadRequest {
		t.Fatalf("a bad filter: %d, want 400", st)
	}

	// Duplicates: the +shop address is Maria's mailbox; merge it in, then undo.
	var dups struct {
		Duplicates []inbox.Duplicate `json:"duplicates"`
	}
	if st := e.doAs(t, sup, "GET", fmt.Sprintf("/api/v1/contacts/%d/duplicates", maria.ContactID), "", &dups); st != http.StatusOK ||
		len(dups.Duplicates) != 1 || dups.Duplicates[0].ID != shop.ID || dups.Duplicates[0].Reason != inbox.DupMailbox {
		t.Fatalf("duplicates: %d %+v", st, dups)
	}
	if st := e.do(t, "GET", fmt.Sprintf("/api/v1/contacts/%d/duplicates", maria.ContactID), "", nil); st != http.StatusNotFound {
		t.Fatalf("duplicates of another team's contact for an agent: %d, want 404", st)
	}
	if st := e.doAs(t, sup, "GET", fmt.Sprintf("/api/v1/contacts/%d/merge-preview?other_id=%d", maria.ContactID, shop.ID), "", nil); st != http.StatusOK {
		t.Fatalf("preview: %d", st)
	}
	var merged struct {
		MergeID int64 `json:"merge_id"`
	}
	if st := e.doAs(t, sup, "POST", fmt.Sprintf("/api/v1/contacts/%d/merge", maria.ContactID), fmt.Sprintf(`{"other_id":%d}`, shop.ID), &merged); st != http.StatusOK {
		t.Fatalf("merge: %d", st)
	}
	if st := e.doAs(t, sup, "POST", fmt.Sprintf("/api/v1/merges/%d/undo", merged.MergeID), "", nil); st != http.StatusOK {
		t.Fatalf("undo: %d", st)
	}
	var created inbox.Contact
	if st := e.doAs(t, sup, "POST", "/api/v1/contacts", `{"email":"Zoe@Acme.example","phone":"(555) 010-0999","tier":"Gold","attributes":{"plan":"pro"}}`, &created); st != http.StatusCreated ||
		created.Tier != "gold" || len(created.Identities) != 2 || created.CompanyID == nil || *created.CompanyID != co.ID {
		t.Fatalf("create contact: %d %+v", st, created)
	}
	if st := e.doAs(t, sup, "POST", "/api/v1/contacts", `{"email":"zoe@acme.example"}`, nil); st != http.StatusConflict {
		t.Fatalf("an address another contact has: %d, want 409", st)
	}
	if st := e.doAs(t, sup, "POST", "/api/v1/contacts", `{"name":"Nobody"}`, nil); st != http.StatusBadRequest {
		t.Fatalf("no address: %d, want 400", st)
	}
	if st := e.do(t, "POST", "/api/v1/contacts", `{"email":"x@example.com"}`, nil); st != http.StatusForbidden {
		t.Fatalf("an agent creates a contact: %d, want 403", st)
	}
	var list struct {
		Companies []inbox.Company `json:"companies"`
	}
	if st := e.do(t, "GET", "/api/v1/companies?q=ac", "", &list); st != http.StatusOK || len(list.Companies) != 1 {
		t.Fatalf("companies: %d %+v", st, list)
	}
}
