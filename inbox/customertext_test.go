package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// TestInboxLanguageAndTexts: an inbox's language and browser flag are stored and checked; its
// overrides are checked against the catalogue (unknown language or key, placeholders) and
// resolved override(lang), catalogue(lang), override(en), catalogue(en); a conversation keeps the
// language its first message brought, and one without speaks its inbox's.
func TestInboxLanguageAndTexts(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelChat, Name: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Language != "en" || in.FollowBrowserLanguage {
		t.Fatalf("a new inbox speaks %q, follows the browser %v", in.Language, in.FollowBrowserLanguage)
	}
	tx := func(fn func(tx pgx.Tx) error) error { return e.store.InTx(ctx, fn) }

	err = tx(func(tx pgx.Tx) error { _, err := e.store.SetInboxLanguageTx(ctx, tx, in.ID, "nl", false); return err })
	var ve *inbox.ValidationError
	if !errors.As(err, &ve) || ve.Field != "language" || !strings.Contains(ve.Reason, `"nl"`) {
		t.Fatalf("language nl: %v", err)
	}
	if err := tx(func(tx pgx.Tx) error { _, err := e.store.SetInboxLanguageTx(ctx, tx, 999999, "de", false); return err }); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("missing inbox: %v", err)
	}
	if err := tx(func(tx pgx.Tx) error {
		var err error
		in, err = e.store.SetInboxLanguageTx(ctx, tx, in.ID, "de", true)
		return err
	}); err != nil || in.Language != "de" || !in.FollowBrowserLanguage {
		t.Fatalf("set de: %+v, %v", in, err)
	}

	set := func(lang, key, body string) error {
		return tx(func(tx pgx.Tx) error { _, _, err := e.store.SetTextTx(ctx, tx, in.ID, lang, key, body); return err })
	}
	for _, c := range []struct{ lang, key, body, field, says string }{
		{"xx", "widget.send", "Los", "lang", `"xx"`},
		{"de", "widget.nope", "Los", "key", `"widget.nope"`},
		{"de", "widget.chatting_with", "Im Gespräch", "body", "{agent}"},
		{"de", "widget.send", "Los, {agent}", "body", "{agent}"},
	} {
		err := set(c.lang, c.key, c.body)
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Reason, c.says) {
			t.Errorf("SetText(%s, %s, %q) = %v; want %s naming %s", c.lang, c.key, c.body, err, c.field, c.says)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM inbox_texts"); n != 0 {
		t.Fatalf("refused overrides stored %d rows", n)
	}
	for _, o := range [][3]string{{"de", "widget.send", "Ab damit"}, {"en", "widget.skip", "Later"},
		{"en", "widget.send", "Go"}, {"de", "widget.chatting_with", "Sie sprechen mit {agent}"}} {
		if err := set(o[0], o[1], o[2]); err != nil {
			t.Fatalf("set %v: %v", o, err)
		}
	}
	if err := set("de", "widget.send", "Abschicken"); err != nil { // replaces
		t.Fatal(err)
	}

	// The widget of an inbox that follows the browser: French asked, French given, with the
	// English override where French has... its own catalogue text first.
	fr, err := e.store.InboxTexts(ctx, in.ID, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if fr.Lang != "fr" || fr.Get("widget.send") != "Envoyer" || fr.Get("widget.skip") != "Passer" {
		t.Fatalf("fr: %s send %q skip %q", fr.Lang, fr.Get("widget.send"), fr.Get("widget.skip"))
	}
	de, err := e.store.InboxTexts(ctx, in.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if de.Lang != "de" || de.Get("widget.send") != "Abschicken" || de.Get("widget.chatting_with", "agent", "Ana") != "Sie sprechen mit Ana" {
		t.Fatalf("de: %s send %q", de.Lang, de.Get("widget.send"))
	}
	if nl, _ := e.store.InboxTexts(ctx, in.ID, "nl"); nl.Lang != "de" {
		t.Fatalf("an unshipped browser language gives the inbox's, got %s", nl.Lang)
	}
	if _, err := e.store.InboxTexts(ctx, 999999, ""); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("missing inbox: %v", err)
	}

	// A conversation started in Spanish keeps it; one started without a language speaks the
	// inbox's, and follows it when the inbox changes.
	es := e.ingest(t, inbox.Inbound{InboxID: in.ID, Channel: inbox.ChannelChat, ExternalID: "es-1",
		From: inbox.Identity{Kind: inbox.IdentityChat, Address: "visitor-es"}, Text: "Hola", Language: "es"})
	plain := e.ingest(t, inbox.Inbound{InboxID: in.ID, Channel: inbox.ChannelChat, ExternalID: "plain-1",
		From: inbox.Identity{Kind: inbox.IdentityChat, Address: "visitor-plain"}, Text: "Hallo"})
	for id, want := range map[int64]string{es.ConversationID: "es", plain.ConversationID: ""} {
		if c, err := e.store.GetConversation(ctx, id); err != nil || c.Language != want {
			t.Fatalf("conversation %d language %q, want %q (%v)", id, c.Language, want, err)
		}
	}
	got, err := e.store.ConversationTexts(ctx, es.ConversationID)
	if err != nil || got.Lang != "es" || got.Get("widget.send") != "Enviar" {
		t.Fatalf("es conversation: %s %q %v", got.Lang, got.Get("widget.send"), err)
	}
	if got, _ := e.store.ConversationTexts(ctx, plain.ConversationID); got.Lang != "de" || got.Get("widget.send") != "Abschicken" {
		t.Fatalf("plain conversation: %s %q", got.Lang, got.Get("widget.send"))
	}
	if _, err := e.store.ConversationTexts(ctx, 999999); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("missing conversation: %v", err)
	}

	list, err := e.store.TextOverrides(ctx, in.ID)
	if err != nil || len(list) != 4 || list[0].Lang != "de" || list[0].Key != "widget.chatting_with" {
		t.Fatalf("overrides: %+v %v", list, err)
	}
	var removed string
	if err := tx(func(tx pgx.Tx) error {
		var err error
		removed, err = e.store.DeleteTextTx(ctx, tx, in.ID, "de", "widget.send")
		return err
	}); err != nil || removed != "Abschicken" {
		t.Fatalf("delete: %q %v", removed, err)
	}
	if err := tx(func(tx pgx.Tx) error { _, err := e.store.DeleteTextTx(ctx, tx, in.ID, "de", "widget.send"); return err }); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("delete again: %v", err)
	}
	if err := tx(func(tx pgx.Tx) error { _, err := e.store.DeleteTextTx(ctx, tx, in.ID, "de", "widget.nope"); return err }); !errors.As(err, &ve) || ve.Field != "key" {
		t.Fatalf("delete unknown key: %v", err)
	}
	if de, _ := e.store.InboxTexts(ctx, in.ID, ""); de.Get("widget.send") != "Senden" {
		t.Fatalf("after delete: %q", de.Get("widget.send"))
	}
}
