package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// TestInboxPageTextsSection: an inbox's edit page carries the customer language section with
// the saved language and, for a chat inbox only, the browser checkbox as saved; the add form has
// none (there is no inbox to call yet).
func TestInboxPageTextsSection(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	e.srv.admins[inbox.ChannelChat] = chat.NewAdmin(e.store, "https://parley.example.com")
	admin := e.newUser(t, "ada", inbox.RoleAdmin)
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelChat, Name: "Web",
		Settings: chat.Settings{Origins: []string{"https://shop.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	web := in.ID
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := e.store.SetInboxLanguageTx(ctx, tx, web, "de", true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, page := admin.get(t, "/admin/inboxes/"+i64(web))
	for _, want := range []string{`id="inbox-texts"`, `data-inbox="` + i64(web) + `"`, `data-value="de"`, `src="/static/js/inboxtexts.js`} {
		if !strings.Contains(page, want) {
			t.Errorf("chat inbox page lacks %s", want)
		}
	}
	if !regexp.MustCompile(`id="lang-follow" name="follow"\s+checked`).MatchString(page) {
		t.Error("the browser checkbox is not checked as saved")
	}

	st, loc := admin.postForm(t, "/admin/inboxes", url.Values{"kind": {"api"}, "name": {"Backend"}})
	if st != http.StatusSeeOther {
		t.Fatalf("add api: %d", st)
	}
	_, page = admin.get(t, "/admin/inboxes/"+i64(idFrom(t, loc)))
	if !strings.Contains(page, `id="inbox-texts"`) || !strings.Contains(page, `data-value="en"`) || strings.Contains(page, "lang-follow") {
		t.Error("an API inbox's page: want the section in English and no browser checkbox")
	}
	if _, page = admin.get(t, "/admin/inboxes/new?kind=chat"); strings.Contains(page, `id="inbox-texts"`) {
		t.Error("the add form shows the texts section")
	}
}
