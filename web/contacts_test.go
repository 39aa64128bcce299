package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

// TestContactPagesListShowEditMergeAndUndo walks the contact pages as a supervisor: the list
// searches, the page shows identities, the timeline and figures, the profile form saves typed
// attributes (a bad value is a 400 that changes nothing), a merge previews and records, and
// undo restores both contacts. An agent of another team sees neither list row nor page.
func TestContactPagesListShowEditMergeAndUndo(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleSupervisor)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "plan", Label: "Plan",
		Type: inbox.AttrList, Options: []string{"free", "enterprise"}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	maria := e.customer(t, "c-1", "maria@example.com", "Maria Lopez", "Broken jar", "The jar arrived cracked")
	other := e.customer(t, "c-2", "maria.l@example.org", "M. Lopez", "Refund?", "Where is my refund")
	for _, conv := range []int64{maria.ConversationID, other.ConversationID} {
		teamtest.Move(t, e.store, conv, billing.ID)
	}

	_, list := sup.get(t, "/contacts?q=maria")
	mustContain(t, "search", list, "Maria Lopez", "maria@example.com")
	_, list = ana.get(t, "/contacts")
	mustNotContain(t, "another team's agent's list", list, "Maria Lopez")
	if st, _ := ana.get(t, "/contacts/"+i64(maria.ContactID)); st != http.StatusNotFound {
		t.Fatalf("another team's contact for an agent: %d, want 404", st)
	}
	if st, _ := ana.postForm(t, "/contacts/"+i64(maria.ContactID), url.Values{"tier": {"gold"}}); st != http.StatusNotFound {
		t.Fatalf("another team's agent edits: %d, want 404", st)
	}

	st, body := sup.get(t, "/contacts/"+i64(maria.ContactID))
	if st != http.StatusOK {
		t.Fatalf("contact page: %d", st)
	}
	mustContain(t, "contact page", body, "Maria Lopez", "maria@example.com", "Broken jar", "conversations", `name="attr.plan"`)

	if st, _ := sup.postForm(t, "/contacts/"+i64(maria.ContactID), url.Values{"tier": {"Gold"}, "tags": {"vip, returns"},
		"attr.plan": {"enterprise"}, "notes": {"Prefers email"}}); st != http.StatusSeeOther {
		t.Fatalf("save profile: %d", st)
	}
	st, body = sup.postForm(t, "/contacts/"+i64(maria.ContactID), url.Values{"tier": {"silver"}, "attr.plan": {"platinum"}})
	if st != http.StatusBadRequest {
		t.Fatalf("a value outside the list: %d, want 400", st)
	}
	mustContain(t, "refusal", body, "Not saved", "plan")
	c, err := e.store.GetContact(ctx, maria.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tier != "gold" || c.Attributes["plan"] != "enterprise" || c.Notes != "Prefers email" || strings.Join(c.Tags, ",") != "returns,vip" {
		t.Fatalf("profile after the forms: %+v", c)
	}
	_, body = sup.get(t, "/contacts?tier=gold")
	mustContain(t, "tier filter", body, "Maria Lopez")

	_, body = sup.get(t, "/contacts/"+i64(maria.ContactID)+"/merge?other_id="+i64(other.ContactID))
	mustContain(t, "merge preview", body, "maria.l@example.org", "Refund?")
	st, raw := sup.postJSON(t, "/api/v1/contacts/"+i64(maria.ContactID)+"/merge", `{"other_id":`+i64(other.ContactID)+`}`)
	if st != http.StatusOK {
		t.Fatalf("merge: %d %s", st, raw)
	}
	var merged struct {
		MergeID    int64            `json:"merge_id"`
		Identities []inbox.Identity `json:"identities"`
	}
	if err := json.Unmarshal([]byte(raw), &merged); err != nil || merged.MergeID == 0 || len(merged.Identities) != 2 {
		t.Fatalf("merge answer %s: %v", raw, err)
	}
	_, body = sup.get(t, "/contacts/"+i64(maria.ContactID))
	mustContain(t, "merged page", body, "Undo merge #"+i64(merged.MergeID), "Refund?")
	if st, _ := sup.postForm(t, "/merges/"+i64(merged.MergeID)+"/undo", nil); st != http.StatusSeeOther {
		t.Fatalf("undo: %d", st)
	}
	_, body = sup.get(t, "/contacts/"+i64(other.ContactID))
	mustContain(t, "restored contact", body, "M. Lopez", "maria.l@example.org", "Refund?")
	_, body = sup.get(t, "/contacts/"+i64(maria.ContactID))
	mustNotContain(t, "kept contact after undo", body, "maria.l@example.org")
	if st, _ := sup.postForm(t, "/merges/"+i64(merged.MergeID)+"/undo", nil); st != http.StatusConflict {
		t.Fatalf("second undo: %d, want 409", st)
	}
	if n := e.auditEvents(t, inbox.AuditContactsUnmerged); n != 1 {
		t.Fatalf("%d unmerge audit records", n)
	}
}

// TestInboundSetsAttributesAndAdminErases posts an inbound message with contact.attributes as
// an admin (a bad value is a 400 that stores no message), then exports and erases the customer.
func TestInboundSetsAttributesAndAdminErases(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	adm := e.newUser(t, "ada", inbox.RoleAdmin)
	if st, _ := adm.postJSON(t, "/api/v1/attributes", `{"object":"contact","key":"orders","label":"Orders","type":"number"}`); st != http.StatusOK {
		t.Fatalf("define: %d", st)
	}
	st, _ := adm.postJSON(t, "/api/v1/inbound", `{"external_id":"x1","contact":{"email":"bo@example.com","attributes":{"orders":"many"}},"text":"hi"}`)
	if st != http.StatusBadRequest {
		t.Fatalf("a bad attribute: %d, want 400", st)
	}
	if n := e.countRows(t, `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages stored by a refused request", n)
	}
	st, raw := adm.postJSON(t, "/api/v1/inbound", `{"external_id":"x1","contact":{"email":"bo@example.com","name":"Bo","attributes":{"orders":7}},"text":"my secret order"}`)
	if st != http.StatusCreated {
		t.Fatalf("inbound: %d %s", st, raw)
	}
	var res struct {
		ContactID int64 `json:"contact_id"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	c, err := e.store.GetContact(ctx, res.ContactID)
	if err != nil || c.Attributes["orders"] != float64(7) {
		t.Fatalf("attributes from inbound: %+v %v", c, err)
	}
	st, body := adm.get(t, "/api/v1/contacts/"+i64(res.ContactID)+"/export")
	if st != http.StatusOK {
		t.Fatalf("export: %d", st)
	}
	mustContain(t, "export", body, "bo@example.com", "my secret order")
	if st, _ := adm.postForm(t, "/contacts/"+i64(res.ContactID)+"/erase", url.Values{"confirm": {"yes"}}); st != http.StatusSeeOther {
		t.Fatalf("erase: %d", st)
	}
	if n := e.countRows(t, `SELECT count(*) FROM messages WHERE text LIKE '%secret%'`); n != 0 {
		t.Fatalf("%d messages keep the text after erasure", n)
	}
	if n := e.countRows(t, `SELECT count(*) FROM contact_identities WHERE contact_id = $1`, res.ContactID); n != 0 {
		t.Fatalf("%d identities after erasure", n)
	}
	if n := e.countRows(t, `SELECT count(*) FROM conversations WHERE contact_id = $1`, res.ContactID); n != 1 {
		t.Fatalf("the conversation is not kept for reports")
	}
	if n := e.auditEvents(t, inbox.AuditContactErased) + e.auditEvents(t, inbox.AuditContactExported); n != 2 {
		t.Fatalf("%d export and erase audit records, want 2", n)
	}
}

// TestCompaniesAPIJoinsContactsByDomain adds a company through the API: the contact already
// known at its domain joins it, a free-mail domain is refused (400), an agent may list but not
// add companies, and the company's page lists its contacts.
func TestCompaniesAPIJoinsContactsByDomain(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	sup := e.newUser(t, "sue", inbox.RoleSupervisor)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	known := e.customer(t, "c-1", "buyer@acme.example", "Bea Buyer", "Order", "Where is it")
	if st, _ := sup.postJSON(t, "/api/v1/companies", `{"name":"Mail","domains":["gmail.com"]}`); st != http.StatusBadRequest {
		t.Fatalf("a free-mail domain: %d, want 400", st)
	}
	if st, _ := ana.postJSON(t, "/api/v1/companies", `{"name":"Acme"}`); st != http.StatusForbidden {
		t.Fatalf("an agent adds a company: %d, want 403", st)
	}
	st, raw := sup.postJSON(t, "/api/v1/companies", `{"name":"Acme","domains":["ACME.example"],"tier":"Gold"}`)
	if st != http.StatusCreated {
		t.Fatalf("add: %d %s", st, raw)
	}
	var co inbox.Company
	if err := json.Unmarshal([]byte(raw), &co); err != nil || co.Tier != "gold" || len(co.Domains) != 1 || co.Domains[0] != "acme.example" {
		t.Fatalf("company %s: %v", raw, err)
	}
	c, err := e.store.GetContact(context.Background(), known.ContactID)
	if err != nil || c.CompanyID == nil || *c.CompanyID != co.ID {
		t.Fatalf("the known contact did not join: %+v %v", c, err)
	}
	if st, raw := sup.do(t, http.MethodPatch, "/api/v1/companies/"+i64(co.ID), "application/json", `{"tier":"silver"}`); st != http.StatusOK || !strings.Contains(raw, `"silver"`) {
		t.Fatalf("patch: %d %s", st, raw)
	}
	if st, raw := ana.get(t, "/api/v1/companies?q=ac"); st != http.StatusOK || !strings.Contains(raw, "Acme") {
		t.Fatalf("an agent lists companies: %d %s", st, raw)
	}
	_, body := sup.get(t, "/contacts?company="+i64(co.ID))
	mustContain(t, "company page", body, "<h1 id=\"contacts-title\">Acme</h1>", "Bea Buyer")
}
