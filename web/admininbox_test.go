package web

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
)

// inboxAudits returns the data of the inbox.changed audit entries of inbox id, oldest first.
func inboxAudits(t *testing.T, e *uiEnv, id int64) []map[string]any {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT data FROM audit_log WHERE kind = $1 AND target = $2 ORDER BY id`,
		inbox.AuditInboxChanged, inbox.AuditTarget("inbox", id))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// inboxCount is how many inboxes of kind exist.
func inboxCount(t *testing.T, e *uiEnv, kind inbox.Channel) int {
	t.Helper()
	list, err := e.store.Inboxes(context.Background(), kind)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// idFrom reads the inbox id of a redirect to /admin/inboxes/ID?saved=....
func idFrom(t *testing.T, loc string) int64 {
	t.Helper()
	m := regexp.MustCompile(`^/admin/inboxes/(\d+)\?saved=`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("redirect %q, want /admin/inboxes/ID?saved=...", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestInboxAdminEmail adds an email inbox from the page against go-imap's in-process server
// and a go-smtp server: a bad value is 400 with its field named and stores nothing, the test
// connection reports a refused login in plain words and then a good one, the passwords never
// come back in a page, an edit with blank passwords keeps them, disabling and enabling work,
// every change is audited without a secret, and agents and cross-site posts are refused.
func TestInboxAdminEmail(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	e.srv.admins[inbox.ChannelEmail] = email.NewAdmin(e.store, email.AdminConfig{})
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	agent := e.newUser(t, "ana", inbox.RoleAgent)
	imapSrv := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{NoIdle: true})
	smtpSrv := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{Username: "mailer", Password: "smtp-pass-9876"})
	imapHost, imapPort, _ := net.SplitHostPort(imapSrv.Addr())
	smtpHost, smtpPort, _ := net.SplitHostPort(smtpSrv.Addr())
	form := func(imapPassword, smtpPassword string) url.Values {
		return url.Values{"kind": {"email"}, "name": {"Support mail"}, "address": {"help@example.com"},
			"imap_host": {imapHost}, "imap_port": {imapPort}, "imap_security": {"none"}, "imap_username": {imapSrv.User},
			"imap_password": {imapPassword}, "smtp_host": {smtpHost}, "smtp_port": {smtpPort}, "smtp_security": {"starttls"},
			"smtp_username": {"mailer"}, "smtp_password": {smtpPassword}}
	}

	if st, _ := agent.get(t, "/admin/inboxes/new?kind=email"); st != http.StatusForbidden {
		t.Errorf("an agent's add form: %d, want 403", st)
	}
	if st, _ := agent.postForm(t, "/admin/inboxes", form(imapSrv.Password, "smtp-pass-9876")); st != http.StatusForbidden {
		t.Errorf("an agent's add: %d, want 403", st)
	}
	st, body := admin.get(t, "/admin/inboxes/new?kind=email")
	if st != http.StatusOK {
		t.Fatalf("add form: %d %s", st, body)
	}
	mustContain(t, "add form", body, "IMAP server", "SMTP password", "Test connection", `name="kind" value="email"`)
	if st, _ := admin.get(t, "/admin/inboxes/new?kind=fax"); st != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d, want 400", st)
	}

	bad := form(imapSrv.Password, "smtp-pass-9876")
	bad.Set("imap_port", "99999")
	st, body = admin.postForm(t, "/admin/inboxes", bad)
	if st != http.StatusBadRequest {
		t.Fatalf("a bad port: %d, want 400", st)
	}
	mustContain(t, "bad port", body, "Please check imap port", `aria-invalid="true"`)
	mustNotContain(t, "bad port", body, imapSrv.Password, "smtp-pass-9876")
	if n := inboxCount(t, e, inbox.ChannelEmail); n != 0 {
		t.Fatalf("%d email inboxes after a refused form, want 0", n)
	}

	st, body = admin.postForm(t, "/admin/inboxes/test", form("wrong-imap-pass", "wrong-smtp-pass"))
	if st != http.StatusOK {
		t.Fatalf("test connection: %d %s", st, body)
	}
	mustContain(t, "failed test", body, "Connection test failed", "IMAP:</strong> ✗ login refused by 127.0.0.1: ",
		"SMTP:</strong> ✗ login refused by 127.0.0.1: 535")
	mustNotContain(t, "failed test", body, "wrong-imap-pass", "wrong-smtp-pass")
	st, body = admin.postForm(t, "/admin/inboxes/test", form(imapSrv.Password, "smtp-pass-9876"))
	if st != http.StatusOK {
		t.Fatalf("test connection: %d", st)
	}
	mustContain(t, "passed test", body, "Connection test passed", "opened INBOX", "accepted the login of mailer")
	if n := inboxCount(t, e, inbox.ChannelEmail); n != 0 {
		t.Fatalf("a test stored %d inboxes, want none", n)
	}

	if st, _ := admin.do(t, http.MethodPost, "/admin/inboxes", "application/x-www-form-urlencoded",
		form(imapSrv.Password, "smtp-pass-9876").Encode(), "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("a cross-site add: %d, want 403", st)
	}
	st, loc := admin.postForm(t, "/admin/inboxes", form(imapSrv.Password, "smtp-pass-9876"))
	if st != http.StatusSeeOther {
		t.Fatalf("add: %d %s", st, loc)
	}
	id := idFrom(t, loc)
	in, err := e.store.GetInbox(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var sec email.Secrets
	if err := e.store.OpenSecrets(in, &sec); err != nil || sec.IMAPPassword != imapSrv.Password || sec.SMTPPassword != "smtp-pass-9876" {
		t.Fatalf("sealed secrets %+v (%v)", sec, err)
	}
	st, body = admin.get(t, "/admin/inboxes/"+i64(id))
	if st != http.StatusOK {
		t.Fatalf("edit form: %d", st)
	}
	mustContain(t, "edit form", body, "Support mail", "help@example.com", "saved — leave blank to keep", "Disable inbox")
	mustNotContain(t, "edit form", body, imapSrv.Password, "smtp-pass-9876")
	_, body = admin.get(t, "/admin/inboxes")
	mustContain(t, "list", body, `href="/admin/inboxes/`+i64(id)+`"`, "Support mail")
	mustNotContain(t, "list", body, imapSrv.Password, "smtp-pass-9876")

	// The edit form's test and save with the passwords left blank use the saved ones.
	edit := form("", "")
	edit.Del("kind")
	st, body = admin.postForm(t, "/admin/inboxes/"+i64(id)+"/test", edit)
	if st != http.StatusOK {
		t.Fatalf("test the saved inbox: %d", st)
	}
	mustContain(t, "saved test", body, "Connection test passed")
	edit.Set("name", "Help mail")
	if st, loc := admin.postForm(t, "/admin/inboxes/"+i64(id), edit); st != http.StatusSeeOther {
		t.Fatalf("save: %d %s", st, loc)
	}
	in, _ = e.store.GetInbox(ctx, id)
	sec = email.Secrets{}
	if err := e.store.OpenSecrets(in, &sec); err != nil || in.Name != "Help mail" || sec.IMAPPassword != imapSrv.Password || sec.SMTPPassword != "smtp-pass-9876" {
		t.Errorf("after an edit with blank passwords: %q, %+v (%v)", in.Name, sec, err)
	}
	edit.Set("smtp_password", "new-smtp-pass-1")
	if st, _ := admin.postForm(t, "/admin/inboxes/"+i64(id), edit); st != http.StatusSeeOther {
		t.Fatalf("change a password: %d", st)
	}
	in, _ = e.store.GetInbox(ctx, id)
	sec = email.Secrets{}
	if err := e.store.OpenSecrets(in, &sec); err != nil || sec.SMTPPassword != "new-smtp-pass-1" || sec.IMAPPassword != imapSrv.Password {
		t.Errorf("after a new SMTP password: %+v (%v)", sec, err)
	}

	if st, _ := agent.postForm(t, "/admin/inboxes/"+i64(id)+"/enabled", url.Values{"on": {"false"}}); st != http.StatusForbidden {
		t.Errorf("an agent's disable: %d, want 403", st)
	}
	if st, _ := admin.postForm(t, "/admin/inboxes/"+i64(id)+"/enabled", url.Values{"on": {"false"}}); st != http.StatusSeeOther {
		t.Fatalf("disable: %d", st)
	}
	if in, _ = e.store.GetInbox(ctx, id); !in.Disabled() {
		t.Error("the inbox is not disabled")
	}
	_, body = admin.get(t, "/admin/inboxes/"+i64(id)+"?saved=disabled")
	mustContain(t, "disabled", body, "Inbox disabled", "Enable inbox")
	if st, _ := admin.postForm(t, "/admin/inboxes/"+i64(id)+"/enabled", url.Values{"on": {"true"}}); st != http.StatusSeeOther {
		t.Fatalf("enable: %d", st)
	}
	if in, _ = e.store.GetInbox(ctx, id); in.Disabled() {
		t.Error("the inbox is still disabled")
	}

	audits := inboxAudits(t, e, id)
	var actions []string
	for _, a := range audits {
		actions = append(actions, a["action"].(string))
	}
	if want := []string{"created", "updated", "updated", "disabled", "enabled"}; !slices.Equal(actions, want) {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
	if len(audits) == 5 {
		if got, _ := json.Marshal(audits[1]["changed"]); string(got) != `["name"]` {
			t.Errorf("first edit changed %s, want the name only", got)
		}
		if got, _ := json.Marshal(audits[2]["changed"]); string(got) != `["smtp_password"]` {
			t.Errorf("second edit changed %s, want smtp_password", got)
		}
	}
	raw, _ := json.Marshal(audits)
	mustNotContain(t, "audit", string(raw), imapSrv.Password, "smtp-pass-9876", "new-smtp-pass-1")
}

// TestInboxAdminChat adds a chat inbox with its looks: its identity secret is shown once, the
// embed snippet carries the inbox and its colour, the allowed origins are edited (a bad one
// is 400 naming the field), and a rotation shows a new secret.
func TestInboxAdminChat(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	e.srv.admins[inbox.ChannelChat] = chat.NewAdmin(e.store, "https://parley.example.com")
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	add := url.Values{"kind": {"chat"}, "name": {"Shop chat"}, "origins": {"https://shop.example.com"},
		"color": {"#1f6feb"}, "greeting": {"Hello & welcome"}}
	bad := url.Values{"kind": {"chat"}, "name": {"Shop chat"}, "origins": {"https://shop.example.com"}, "color": {"red"}}
	if st, body := admin.postForm(t, "/admin/inboxes", bad); st != http.StatusBadRequest || !strings.Contains(body, "Please check color") {
		t.Errorf("a bad colour: %d, want 400 naming color", st)
	}
	st, body := admin.postForm(t, "/admin/inboxes", add)
	if st != http.StatusCreated {
		t.Fatalf("add: %d %s", st, body)
	}
	secret := regexp.MustCompile(`shown only now: <code>([0-9a-f]{64})</code>`).FindStringSubmatch(body)
	if secret == nil {
		t.Fatalf("no identity secret shown: %s", body)
	}
	list, _ := e.store.Inboxes(ctx, inbox.ChannelChat)
	if len(list) != 1 {
		t.Fatalf("%d chat inboxes", len(list))
	}
	id := list[0].ID
	mustContain(t, "embed", body, `&lt;script src=&#34;https://parley.example.com/chat/widget.js&#34; data-inbox=&#34;`+i64(id)+`&#34;`,
		`data-color=&#34;#1f6feb&#34;`, `data-greeting=&#34;Hello &amp;amp; welcome&#34;`)
	_, body = admin.get(t, "/admin/inboxes/"+i64(id))
	mustContain(t, "edit form", body, "https://shop.example.com", "Embed snippet")
	mustNotContain(t, "edit form", body, secret[1])

	edit := url.Values{"name": {"Shop chat"}, "origins": {"https://shop.example.com\nnot an origin"}}
	if st, body := admin.postForm(t, "/admin/inboxes/"+i64(id), edit); st != http.StatusBadRequest || !strings.Contains(body, "Please check origin") {
		t.Errorf("a bad origin: %d, want 400 naming origin", st)
	}
	edit.Set("origins", "https://shop.example.com\r\nhttps://www.example.com")
	if st, loc := admin.postForm(t, "/admin/inboxes/"+i64(id), edit); st != http.StatusSeeOther {
		t.Fatalf("edit origins: %d %s", st, loc)
	}
	in, _ := e.store.GetInbox(ctx, id)
	var set chat.Settings
	if err := in.DecodeSettings(&set); err != nil || !slices.Equal(set.Origins, []string{"https://shop.example.com", "https://www.example.com"}) {
		t.Errorf("origins %v (%v)", set.Origins, err)
	}
	var sec chat.Secrets
	if err := e.store.OpenSecrets(in, &sec); err != nil || sec.IdentitySecret != secret[1] {
		t.Errorf("the identity secret changed without a rotation (%v)", err)
	}
	edit.Set("rotate_identity_secret", "on")
	st, body = admin.postForm(t, "/admin/inboxes/"+i64(id), edit)
	if st != http.StatusOK {
		t.Fatalf("rotate: %d", st)
	}
	rotated := regexp.MustCompile(`shown only now: <code>([0-9a-f]{64})</code>`).FindStringSubmatch(body)
	in, _ = e.store.GetInbox(ctx, id)
	sec = chat.Secrets{}
	if err := e.store.OpenSecrets(in, &sec); err != nil || rotated == nil || rotated[1] == secret[1] || sec.IdentitySecret != rotated[1] {
		t.Errorf("rotation: shown %v, sealed %q (%v)", rotated, sec.IdentitySecret, err)
	}
	audits := inboxAudits(t, e, id)
	if len(audits) != 3 {
		t.Fatalf("%d audit entries, want 3", len(audits))
	}
	if got, _ := json.Marshal(audits[2]["changed"]); string(got) != `["identity_secret"]` {
		t.Errorf("the rotation's audit names %s", got)
	}
}

// TestInboxAdminAPI adds and renames an API inbox (a name and a team only); a name taken is
// 409 and an empty one 400.
func TestInboxAdminAPI(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	st, loc := admin.postForm(t, "/admin/inboxes", url.Values{"kind": {"api"}, "name": {"Shop backend"}})
	if st != http.StatusSeeOther {
		t.Fatalf("add: %d %s", st, loc)
	}
	id := idFrom(t, loc)
	if st, body := admin.postForm(t, "/admin/inboxes", url.Values{"kind": {"api"}, "name": {"Shop backend"}}); st != http.StatusConflict ||
		!strings.Contains(body, "Please check name") {
		t.Errorf("a name taken: %d, want 409", st)
	}
	if st, body := admin.postForm(t, "/admin/inboxes/"+i64(id), url.Values{"name": {" "}}); st != http.StatusBadRequest ||
		!strings.Contains(body, "Please check name") {
		t.Errorf("an empty name: %d, want 400", st)
	}
	if st, _ := admin.postForm(t, "/admin/inboxes/"+i64(id), url.Values{"name": {"Billing backend"}}); st != http.StatusSeeOther {
		t.Errorf("rename: %d", st)
	}
	if in, _ := e.store.GetInbox(context.Background(), id); in.Name != "Billing backend" {
		t.Errorf("name %q", in.Name)
	}
	if st, _ := admin.postForm(t, "/admin/inboxes/"+i64(id)+"/test", url.Values{"name": {"x"}}); st != http.StatusNotFound {
		t.Errorf("testing an API inbox: %d, want 404", st)
	}
	if st, _ := admin.get(t, "/admin/inboxes/999999"); st != http.StatusNotFound {
		t.Errorf("an unknown inbox: %d, want 404", st)
	}
}
