package chat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
)

// setLanguage sets inbox id's language and browser flag, as an admin would.
func setLanguage(t *testing.T, e *env, id int64, lang string, follow bool) {
	t.Helper()
	if err := e.store.InTx(context.Background(), func(tx pgx.Tx) error {
		_, err := e.store.SetInboxLanguageTx(context.Background(), tx, id, lang, follow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// languageInboxes starts a node with two chat inboxes: follows speaks German and follows the
// visitor's browser, fixed speaks Spanish whatever the browser.
func languageInboxes(t *testing.T) (*env, *node, inbox.Inbox, inbox.Inbox) {
	t.Helper()
	e := setup(t)
	n := e.node(t, chat.Config{Store: e.store})
	follows := e.chatInbox(t, chat.Settings{})
	setLanguage(t, e, follows.ID, "de", true)
	fixed := namedInbox(t, e, "Fixed", chat.Settings{Origins: []string{shopOrigin}})
	setLanguage(t, e, fixed.ID, "es", false)
	return e, n, follows, fixed
}

// texts asks GET /chat/texts for inbox with the browser languages langs.
func texts(t *testing.T, n *node, inbox, langs string) (int, http.Header, chat.Texts) {
	t.Helper()
	resp, body := get(t, n, "/chat/texts?inbox="+inbox+"&lang="+langs, nil)
	var out chat.Texts
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("texts %s: %v", body, err)
		}
	}
	return resp.StatusCode, resp.Header, out
}

// TestTexts: the widget's texts are in the first browser language an inbox that follows the
// browser speaks, else in the inbox's own, with the inbox's wording where it has one; unknown,
// disabled and non-chat inboxes are 404, a bad id 400.
func TestTexts(t *testing.T) {
	t.Parallel()
	e, n, follows, fixed := languageInboxes(t)
	if err := e.store.InTx(context.Background(), func(tx pgx.Tx) error {
		_, _, err := e.store.SetTextTx(context.Background(), tx, follows.ID, "fr", "widget.start", "C’est parti")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(follows.ID, 10)

	st, h, got := texts(t, n, id, "nl-NL,fr-FR,fr,en")
	if st != http.StatusOK || got.Lang != "fr" || got.Texts["open"] != "Ouvrir le chat" || got.Texts["start"] != "C’est parti" ||
		got.Texts["chatting_with"] != "En discussion avec {agent}" {
		t.Fatalf("French browser: %d %+v", st, got)
	}
	if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("headers %v", h)
	}
	if _, ok := got.Texts["question"]; ok || len(got.Texts) < 40 {
		t.Fatalf("%d texts, or texts other than the widget's", len(got.Texts))
	}
	if _, _, got := texts(t, n, id, "ja,nl"); got.Lang != "de" || got.Texts["open"] != "Chat öffnen" {
		t.Fatalf("no shipped browser language: %+v, want the inbox's German", got.Lang)
	}
	if _, _, got := texts(t, n, strconv.FormatInt(fixed.ID, 10), "fr-FR"); got.Lang != "es" || got.Texts["send"] != "Enviar" {
		t.Fatalf("an inbox that does not follow the browser: %s", got.Lang)
	}
	disable(t, e, fixed.ID)
	api, err := e.store.CreateInbox(context.Background(), inbox.NewInbox{Kind: inbox.ChannelAPI, Name: "API"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		inbox string
		want  int
	}{{strconv.FormatInt(fixed.ID, 10), 404}, {strconv.FormatInt(api.ID, 10), 404}, {"999999", 404}, {"x", 400}, {"", 400}} {
		if st, _, _ := texts(t, n, c.inbox, "fr"); st != c.want {
			t.Errorf("inbox %q: %d, want %d", c.inbox, st, c.want)
		}
	}
}

// TestVisitorLanguageIsRemembered: a visitor whose browser speaks French starts a French
// conversation on an inbox that follows the browser, and is told a refused rating in French;
// on an inbox that does not follow it, the conversation keeps to the inbox's language.
func TestVisitorLanguageIsRemembered(t *testing.T) {
	t.Parallel()
	e, n, follows, fixed := languageInboxes(t)
	ctx := context.Background()

	lang := func(in inbox.Inbox, id string) string {
		v := dial(t, n, in.ID)
		v.write(map[string]any{"type": "hello", "last_id": 0, "languages": []string{"fr-FR", "fr", "en"}})
		v.expect("welcome")
		ack := v.say(id, "Bonjour")
		m, err := e.store.GetMessage(ctx, ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		set, err := e.store.ConversationTexts(ctx, m.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if in.ID == follows.ID {
			v.write(map[string]any{"type": "rating", "survey_id": "424242", "score": 5})
			if f := v.expect("error"); f.Message != "Cette enquête n’existe pas." {
				t.Fatalf("refused rating: %+v", f)
			}
		}
		return set.Lang
	}
	if got := lang(follows, "c1"); got != "fr" {
		t.Fatalf("following the browser: %s, want fr", got)
	}
	if got := lang(fixed, "c2"); got != "es" {
		t.Fatalf("not following the browser: %s, want the inbox's es", got)
	}
}

// TestOddBrowserLanguagesAreIgnored: languages past the first ten and overlong tags are dropped,
// never a reason to refuse the visitor; the first usable shipped one counts.
func TestOddBrowserLanguagesAreIgnored(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		langs []string
		want  string
		kept  int
	}{
		{"an overlong tag first", []string{strings.Repeat("x", chat.MaxLanguageBytes+1), "pt-PT"}, "pt", 1},
		{"French eleventh", append(slices.Repeat([]string{"ja"}, chat.MaxLanguages), "fr"), "de", chat.MaxLanguages},
		{"a NUL", []string{"fr\x00", "", "es"}, "es", 1},
	} {
		f, err := chat.DecodeClient(mustJSON(t, map[string]any{"type": "hello", "last_id": 0, "languages": c.langs}))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		kept := f.(*chat.Hello).Languages
		if len(kept) != c.kept {
			t.Errorf("%s: kept %q", c.name, kept)
		}
		got, ok := custtext.Match(kept)
		if !ok {
			got = "de" // the inbox's, as the server would fall back
		}
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLimitsSpeakTheVisitorsLanguage: the refusals a visitor reads are in their language: a new
// visitor over the address's limit in the browser's French (the hello says it), a rate-limited
// message in the inbox's Spanish, with the wait filled in.
func TestLimitsSpeakTheVisitorsLanguage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	n := e.node(t, chat.Config{Store: e.store, Limits: chat.Limits{NewVisitorsPerMinute: 1, Now: clock},
		Limiter: chat.LimiterConfig{Rate: 0.5, Burst: 1, Now: clock}})
	follows := e.chatInbox(t, chat.Settings{})
	setLanguage(t, e, follows.ID, "es", true)

	v := dial(t, n, follows.ID)
	v.hello(chat.Hello{})
	v.say("m1", "primero")
	v.send("m2", "segundo")
	if f := v.expect("error"); f.Code != chat.CodeRateLimited || f.Message != "Demasiados mensajes; se volverán a enviar en breve." {
		t.Fatalf("rate limited: %+v", f)
	}
	late := dial(t, n, follows.ID)
	late.write(map[string]any{"type": "hello", "last_id": 0, "languages": []string{"fr-CA"}})
	f := late.refused(chat.CodeTooManyVisitors)
	if want := "Trop de nouveaux chats depuis votre réseau ; réessayez dans " + strconv.Itoa(f.RetryAfter) + " s."; f.Message != want {
		t.Fatalf("too many visitors: %q, want %q", f.Message, want)
	}
}
