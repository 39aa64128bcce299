package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

// TestCompanyPagesShowWhatTheViewerMaySee opens the companies list and a company page: a
// supervisor sees its contacts and their conversations and edits it (a free-mail domain is a
// 400 that changes nothing); an agent of another team sees the company but none of its contacts
// or conversations, and may not edit it.
func TestCompanyPagesShowWhatTheViewerMaySee(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	sup := e.newUser(t, "sue", inbox.RoleSupervisor)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	co, err := e.store.SaveCompany(ctx, 0, inbox.CompanyPatch{Name: ptrTo("Acme"), Domains: &[]string{"acme.example"}}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	maria := e.customer(t, "c-1", "maria@acme.example", "Maria Lopez", "Broken jar", "The jar arrived cracked")
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	teamtest.Move(t, e.store, maria.ConversationID, billing.ID)

	_, body := sup.get(t, "/companies?q=ac")
	mustContain(t, "companies list", body, `href="/companies/`+i64(co.ID)+`"`, "acme.example", "Add a company")
	st, body := sup.get(t, "/companies/"+i64(co.ID))
	if st != http.StatusOK {
		t.Fatalf("company page: %d", st)
	}
	mustContain(t, "company page", body, "Acme", "Maria Lopez", "maria@acme.example", "Broken jar", `action="/companies/`+i64(co.ID)+`"`)
	if st, _ := sup.postForm(t, "/companies/"+i64(co.ID), url.Values{"name": {"Acme Inc"}, "domains": {"acme.example, acme.test"}, "tier": {"Gold"}}); st != http.StatusSeeOther {
		t.Fatalf("save company: %d", st)
	}
	st, body = sup.postForm(t, "/companies/"+i64(co.ID), url.Values{"domains": {"gmail.com"}})
	if st != http.StatusBadRequest {
		t.Fatalf("a free-mail domain: %d, want 400", st)
	}
	mustContain(t, "refusal", body, "Not saved", "free-mail")
	got, err := e.store.GetCompany(ctx, co.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Inc" || got.Tier != "gold" || strings.Join(got.Domains, ",") != "acme.example,acme.test" {
		t.Fatalf("company after the forms: %+v", got)
	}
	if st, _ := sup.postForm(t, "/companies", url.Values{"name": {"Globex"}, "domains": {"globex.example"}}); st != http.StatusSeeOther {
		t.Fatalf("add company: %d", st)
	}

	st, body = ana.get(t, "/companies/"+i64(co.ID))
	if st != http.StatusOK {
		t.Fatalf("company page for an agent: %d", st)
	}
	mustContain(t, "agent's company page", body, "Acme Inc", "No contacts you may see", "No conversations you may see")
	mustNotContain(t, "agent's company page", body, "Maria Lopez", "Broken jar", `action="/companies/`)
	if st, _ := ana.postForm(t, "/companies/"+i64(co.ID), url.Values{"tier": {"silver"}}); st != http.StatusForbidden {
		t.Fatalf("an agent edits a company: %d, want 403", st)
	}
	_, body = sup.get(t, "/contacts/"+i64(maria.ContactID))
	mustContain(t, "contact page's company link", body, `href="/companies/`+i64(co.ID)+`"`)
}

// TestContactImportFormPreviewsThenImports uploads a CSV through the contact list's form: the
// preview lists what would happen and changes nothing; its confirm button imports; a file with a
// bad row shows the row and column and imports nothing. The list's export link downloads the
// contacts as CSV for a supervisor; an agent sees neither form nor link, and is refused both.
func TestContactImportFormPreviewsThenImports(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	adm := e.newUser(t, "ada", inbox.RoleAdmin)
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	e.customer(t, "c-1", "maria@example.com", "Maria", "Hello", "Hi")

	_, body := adm.get(t, "/contacts")
	mustContain(t, "admin's contact list", body, `action="/contacts/import"`, `href="/contacts/export?`)
	_, body = ana.get(t, "/contacts")
	mustNotContain(t, "agent's contact list", body, `action="/contacts/import"`, `/contacts/export`)

	file := "name,email,tier\nMaria Lopez,maria@example.com,gold\nZoe New,zoe@example.com,\n"
	st, body := adm.upload(t, "/contacts/import", file)
	if st != http.StatusOK {
		t.Fatalf("preview: %d %s", st, body)
	}
	mustContain(t, "preview", body, "Import preview", "<strong>1</strong> create", "<strong>1</strong> update", "zoe@example.com", `name="confirm" value="yes"`)
	if _, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "zoe@example.com"); err == nil {
		t.Fatal("the preview created a contact")
	}
	st, body = adm.postForm(t, "/contacts/import", url.Values{"csv": {file}, "confirm": {"yes"}})
	if st != http.StatusOK {
		t.Fatalf("import: %d %s", st, body)
	}
	mustContain(t, "import", body, "Imported: 1 created, 1 updated, 0 merged.")
	if c, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "maria@example.com"); err != nil || c.Tier != "gold" || c.Name != "Maria Lopez" {
		t.Fatalf("updated contact %+v: %v", c, err)
	}

	st, body = adm.upload(t, "/contacts/import", "email,tier\nnobody,gold\n")
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("a bad row: %d", st)
	}
	mustContain(t, "refusal", body, "Nothing can be imported", "<td>2</td><td>email</td>")
	mustNotContain(t, "refusal", body, `name="confirm"`)
	if st, _ := ana.upload(t, "/contacts/import", file); st != http.StatusForbidden {
		t.Fatalf("an agent imports: %d, want 403", st)
	}

	st, body = adm.get(t, "/contacts/export?tier=gold")
	if st != http.StatusOK || !strings.HasPrefix(body, "id,name,email") || !strings.Contains(body, "Maria Lopez") || strings.Contains(body, "Zoe") {
		t.Fatalf("export: %d %s", st, body)
	}
	if st, _ := ana.get(t, "/contacts/export"); st != http.StatusForbidden {
		t.Fatalf("an agent exports: %d, want 403", st)
	}
}

// TestContactPageSuggestsDuplicates shows, on a contact's page, another contact with the same
// mailbox and a link to the merge preview.
func TestContactPageSuggestsDuplicates(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	sup := e.newUser(t, "sue", inbox.RoleSupervisor)
	a := e.customer(t, "c-1", "ma.ria@gmail.com", "Maria", "Hello", "Hi")
	b := e.customer(t, "c-2", "maria+news@gmail.com", "M", "Again", "Hi")
	_, body := sup.get(t, "/contacts/"+i64(a.ContactID))
	mustContain(t, "contact page", body, "Possible duplicates", "maria&#43;news@gmail.com", "the same mailbox written another way",
		`href="/contacts/`+i64(a.ContactID)+`/merge?other_id=`+i64(b.ContactID)+`"`)
}

// upload posts file as the import form's "file" field.
func (u *user) upload(t *testing.T, path, file string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(file))
	_ = mw.Close()
	return u.do(t, http.MethodPost, path, mw.FormDataContentType(), buf.String())
}

func ptrTo[T any](v T) *T { return &v }
