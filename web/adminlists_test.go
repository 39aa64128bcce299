package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// lastAudit is the newest audit record of kind made by the admin.
func (e *uiEnv) lastAudit(t *testing.T, kind string) inbox.AuditRecord {
	t.Helper()
	recs := e.auditLog(t, inbox.AuditQuery{Actor: "admin@example.com", Kind: kind})
	if len(recs) == 0 {
		t.Fatalf("no %s record", kind)
	}
	return recs[0]
}

// TestAdminAgentEdit changes an agent's name and capacity from the agents page, refuses a bad
// capacity or an empty name without changing anything, and audits the change with the old values.
func TestAdminAgentEdit(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	path := "/admin/agents/" + i64(ana.agent.ID)
	_, page := admin.get(t, "/admin/agents")
	mustContain(t, "agents page", page, `action="`+path+`"`, `aria-label="Edit ana"`)
	for _, bad := range []url.Values{{"name": {"Ana"}, "capacity": {"0"}}, {"name": {"Ana"}, "capacity": {"lots"}},
		{"name": {"  "}, "capacity": {"5"}}} {
		if st, body := admin.postForm(t, path, bad); st != http.StatusBadRequest {
			t.Errorf("%v: %d %.300s", bad, st, body)
		}
	}
	if got, _ := e.store.AgentByEmail(ctx, "ana@example.com"); got.Name != "ana" || got.Capacity != 10 {
		t.Fatalf("after refusals: %q, capacity %d", got.Name, got.Capacity)
	}
	if st, _ := admin.postForm(t, "/admin/agents/999999", url.Values{"name": {"X"}, "capacity": {"3"}}); st != http.StatusNotFound {
		t.Fatalf("edit no agent: %d", st)
	}
	if st, body := admin.postForm(t, path, url.Values{"name": {" Ana Lima "}, "capacity": {"4"}}); st != http.StatusSeeOther {
		t.Fatalf("edit: %d %.300s", st, body)
	}
	got, err := e.store.AgentByEmail(ctx, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ana Lima" || got.Capacity != 4 {
		t.Fatalf("edited agent: %q, capacity %d", got.Name, got.Capacity)
	}
	r := e.lastAudit(t, inbox.AuditAgentChanged)
	if r.Target != inbox.AuditTarget("agent", ana.agent.ID) || r.Data["old_name"] != "ana" || r.Data["name"] != "Ana Lima" {
		t.Fatalf("audit %+v", r)
	}
	if st, _ := ana.postForm(t, path, url.Values{"name": {"Me"}, "capacity": {"99"}}); st != http.StatusForbidden {
		t.Fatalf("an agent edits themselves: %d, want 403", st)
	}
}

// TestAdminCannedAudited adds, edits and deletes a canned response on its page; each is in the
// audit log.
func TestAdminCannedAudited(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	if st, _ := admin.postForm(t, "/admin/canned", url.Values{"shortcut": {"thanks"}, "title": {"Thanks"}, "body": {"Thank you!"}}); st != http.StatusSeeOther {
		t.Fatalf("add: %d", st)
	}
	list, err := e.store.CannedResponses(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("canned: %v %v", list, err)
	}
	id := i64(list[0].ID)
	if st, _ := admin.postForm(t, "/admin/canned", url.Values{"id": {id}, "shortcut": {"ty"}, "title": {"Thanks"}, "body": {"Thanks!"}}); st != http.StatusSeeOther {
		t.Fatalf("edit: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/canned/"+id+"/delete", nil); st != http.StatusSeeOther {
		t.Fatalf("delete: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/canned/"+id+"/delete", nil); st != http.StatusNotFound {
		t.Fatalf("delete again: %d", st)
	}
	var got []string
	for _, r := range e.auditLog(t, inbox.AuditQuery{Actor: "admin@example.com", Kind: inbox.AuditCannedChanged}) {
		got = append(got, r.Data["action"].(string)+" "+r.Data["shortcut"].(string))
	}
	if len(got) != 3 || got[0] != "deleted ty" || got[1] != "updated ty" || got[2] != "created thanks" {
		t.Fatalf("audit: %q", got)
	}
}

// TestAdminWebhookEdit changes an endpoint's URL, events and description from the webhooks page,
// keeping its secret; a bad URL is refused and changes nothing.
func TestAdminWebhookEdit(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	hooks := e.srv.hooks
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	u, events, secret := "https://hooks.example.com/a", []string{inbox.EventConversationCreated}, "sixteen-chars-or-more"
	ep, _, err := hooks.Create(ctx, inbox.CLIActor(), webhook.EndpointInput{URL: &u, Events: &events, Secret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	path := "/admin/webhooks/" + i64(ep.ID)
	_, page := admin.get(t, "/admin/webhooks")
	mustContain(t, "webhooks page", page, `action="`+path+`"`, `value="https://hooks.example.com/a"`)
	if st, _ := admin.postForm(t, path, url.Values{"url": {"ftp://nowhere"}, "events": {"message.created"}}); st != http.StatusBadRequest {
		t.Fatalf("bad url: %d", st)
	}
	if st, body := admin.postForm(t, path, url.Values{"url": {"https://hooks.example.com/b"}, "events": {"message.created", "conversation.status"},
		"description": {"CRM"}}); st != http.StatusSeeOther {
		t.Fatalf("edit: %d %.300s", st, body)
	}
	got, err := hooks.Endpoint(ctx, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "https://hooks.example.com/b" || got.Description != "CRM" || len(got.Events) != 2 {
		t.Fatalf("edited endpoint %+v", got)
	}
	if r := e.lastAudit(t, inbox.AuditWebhookChanged); r.Target != inbox.AuditTarget("webhook", ep.ID) {
		t.Fatalf("audit %+v", r)
	}
}

// TestAdminCategoryDelete deletes an unused category and resolution code, and refuses (409,
// nothing changed) one a conversation or a rule carries, or that has sub-categories, saying so.
func TestAdminCategoryDelete(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	var parent, used, ruled, unused inbox.Category
	var code inbox.ResolutionCode
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if parent, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Delivery"}); err != nil {
			return err
		}
		if used, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Damaged", ParentID: parent.ID}); err != nil {
			return err
		}
		if ruled, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Invoices"}); err != nil {
			return err
		}
		if unused, err = e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Typo"}); err != nil {
			return err
		}
		code, err = e.store.SaveResolutionCodeTx(ctx, tx, 0, "Mistake", false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := e.customer(t, "m-1", "kim@example.com", "Kim", "Broken", "it arrived broken")
	if _, err := e.store.SetCategory(ctx, c.ConversationID, used.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflow.NewRules(e.pool, e.store).Add(ctx, workflow.NewRule{Name: "Bills",
		Conditions: workflow.Conditions{Keywords: []string{"invoice"}}, Actions: workflow.Actions{SetCategory: "Invoices"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   int64
		want string
	}{
		{used.ID, "The category “Delivery › Damaged” cannot be deleted: 1 conversation carries it. Archive it instead"},
		{parent.ID, "The category “Delivery” cannot be deleted: it has 1 sub-category."},
		{ruled.ID, "The category “Invoices” cannot be deleted: the routing rule “Bills” sets it."},
	} {
		st, body := admin.postForm(t, "/admin/categories/"+i64(c.id)+"/delete", nil)
		if st != http.StatusConflict {
			t.Fatalf("delete %d: %d", c.id, st)
		}
		mustContain(t, "refusal", html.UnescapeString(body), c.want)
	}
	if st, _ := admin.postForm(t, "/admin/categories/"+i64(unused.ID)+"/delete", nil); st != http.StatusSeeOther {
		t.Fatalf("delete unused: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/resolution-codes/"+i64(code.ID)+"/delete", nil); st != http.StatusSeeOther {
		t.Fatalf("delete unused code: %d", st)
	}
	cats, err := e.store.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range cats {
		names[c.Path] = true
	}
	if names["Typo"] || !names["Delivery"] || !names["Delivery › Damaged"] || !names["Invoices"] {
		t.Fatalf("categories after deletes: %v", names)
	}
	if r := e.lastAudit(t, inbox.AuditCategoryChanged); r.Data["action"] != "deleted" || r.Data["name"] != "Mistake" {
		t.Fatalf("audit %+v", r)
	}
}

// TestAdminAttributeEdit shows each attribute with an edit form filled with its definition, and
// saving it changes the label and options of that attribute.
func TestAdminAttributeEdit(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	if st, body := admin.postForm(t, "/admin/attributes", url.Values{"object": {"contact"}, "key": {"plan"}, "label": {"Plan"},
		"type": {"list"}, "options": {"free, pro"}}); st != http.StatusSeeOther {
		t.Fatalf("define: %d %.300s", st, body)
	}
	_, page := admin.get(t, "/admin/attributes")
	mustContain(t, "attributes page", page, `aria-label="Edit Plan"`, `<input type="hidden" name="key" value="plan">`,
		`<option selected>list</option>`, `name="options" value="free, pro"`)
	if st, _ := admin.postForm(t, "/admin/attributes", url.Values{"object": {"contact"}, "key": {"plan"}, "label": {"Price plan"},
		"type": {"list"}, "options": {"free, pro, enterprise"}}); st != http.StatusSeeOther {
		t.Fatalf("edit: %d", st)
	}
	defs, err := e.store.AttributeDefs(context.Background(), inbox.AttrContact)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 || defs[0].Label != "Price plan" || len(defs[0].Options) != 3 {
		t.Fatalf("definitions after the edit: %+v", defs)
	}
}

// A contact field a routing rule tests cannot be deleted (409, naming the rule); once the rule
// is gone it is, with every contact's value of it, audited; an unknown one is a 404.
func TestAdminAttributeDelete(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	admin := e.newUser(t, "admin", inbox.RoleAdmin)
	if _, err := e.store.SaveAttributeDef(ctx, inbox.AttributeDef{Object: inbox.AttrContact, Key: "plan", Label: "Plan",
		Type: inbox.AttrText}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	maria := e.customer(t, "c-1", "maria@example.com", "Maria", "Hi", "Hello")
	if _, err := e.store.As(inbox.Everyone()).UpdateContact(ctx, maria.ContactID,
		inbox.ContactPatch{Attributes: map[string]any{"plan": "enterprise"}}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	rules := workflow.NewRules(e.pool, e.store)
	rule, err := rules.Add(ctx, workflow.NewRule{Name: "Enterprise first", Conditions: workflow.Conditions{
		Attributes: []workflow.AttrCondition{{Key: "plan", Op: workflow.AttrEq, Value: "enterprise"}}},
		Actions: workflow.Actions{SetPriority: inbox.PriorityHigh}})
	if err != nil {
		t.Fatal(err)
	}
	del := url.Values{"object": {"contact"}, "key": {"plan"}}
	if st, body := admin.postForm(t, "/admin/attributes/delete", del); st != http.StatusConflict ||
		!strings.Contains(body, "Enterprise first") {
		t.Fatalf("delete a field a rule tests: %d %.300s", st, body)
	}
	if defs, err := e.store.AttributeDefs(ctx, inbox.AttrContact); err != nil || len(defs) != 1 {
		t.Fatalf("the refused delete changed the definitions: %+v %v", defs, err)
	}
	if err := rules.Delete(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	if st, body := admin.postForm(t, "/admin/attributes/delete", del); st != http.StatusSeeOther {
		t.Fatalf("delete: %d %.300s", st, body)
	}
	if defs, err := e.store.AttributeDefs(ctx, inbox.AttrContact); err != nil || len(defs) != 0 {
		t.Fatalf("definitions after the delete: %+v %v", defs, err)
	}
	c, err := e.store.GetContact(ctx, maria.ContactID)
	if err != nil || len(c.Attributes) != 0 {
		t.Fatalf("maria's attributes after the delete: %v %v", c.Attributes, err)
	}
	if n := e.countRows(t, `SELECT count(*) FROM audit_log WHERE kind = $1 AND data->>'action' = 'deleted' AND data->>'key' = 'plan'`,
		inbox.AuditSettingsChanged); n != 1 {
		t.Fatalf("audit entries = %d", n)
	}
	if st, _ := admin.postForm(t, "/admin/attributes/delete", del); st != http.StatusNotFound {
		t.Fatalf("delete again: %d, want 404", st)
	}
}
