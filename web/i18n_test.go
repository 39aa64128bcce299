package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// withFrench is the shipped English catalogue and a French one holding a few of its keys, as a
// translator would add web/i18n/fr.json.
func withFrench(t *testing.T) *catalogs {
	t.Helper()
	en, err := i18nFS.ReadFile("i18n/en.json")
	if err != nil {
		t.Fatal(err)
	}
	fr, err := json.Marshal(map[string]any{
		"layout.inbox":       "Boîte de réception",
		"common.sign_in":     "Se connecter",
		"common.status":      "Statut",
		"js.inbox.undo":      "Annuler",
		"name.channel.email": "Courriel",
		"js.bulk.selected":   map[string]string{"one": "{count} sélectionnée", "other": "{count} sélectionnées"},
		"tokens.in_days":     map[string]string{"one": "dans {count} jour", "other": "dans {count} jours"},
		"js.presence.typing": map[string]string{"one": "{names} écrit…", "other": "{names} écrivent…"},
		// Words the Go code hands the pages: a title, a timeline event, a duration, a date.
		"title.inbox":      "Boîte de réception",
		"timeline.took":    "{who} a pris cette conversation",
		"duration.minutes": "{count} min",
		"date.clock":       "{day} {month} à {time} UTC",
		"date.jan":         "janv.", "date.feb": "févr.", "date.mar": "mars", "date.apr": "avr.", "date.may": "mai",
		"date.jun": "juin", "date.jul": "juil.", "date.aug": "août", "date.sep": "sept.", "date.oct": "oct.",
		"date.nov": "nov.", "date.dec": "déc.",
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := loadCatalogs(fstest.MapFS{"en.json": {Data: en}, "fr.json": {Data: fr}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestAPageIsRenderedInTheLanguageTheBrowserAsksFor(t *testing.T) {
	e := newUIEnv(t)
	u := e.newUser(t, "amelie", inbox.RoleAgent)
	cs := withFrench(t)
	views, err := newViews(e.clock, false, cs)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.ui.views = views

	_, body := u.get(t, "/inbox")
	mustContain(t, "the inbox in English (no Accept-Language)", body, `<html lang="en">`, `>Inbox</a>`, `"js.inbox.undo":"Undo"`, `>Email</option>`)

	_, body = u.do(t, http.MethodGet, "/inbox", "", "", "Accept-Language", "fr-CH, fr;q=0.9, en;q=0.5")
	mustContain(t, "the inbox in French", body, `<html lang="fr">`, `>Boîte de réception</a>`, `Statut`,
		`"js.inbox.undo":"Annuler"`, `"js.bulk.selected":{"one":"{count} sélectionnée"`, `>Courriel</option>`)
	// A key French lacks falls back to English, in the page and in the scripts' strings.
	mustContain(t, "the untranslated strings of the French inbox", body, `>Contacts</a>`, `"js.toast.dismiss":"Dismiss"`)
	mustNotContain(t, "the French inbox", body, `>Inbox</a>`, `"js.inbox.undo":"Undo"`)

	// A language without a catalogue gets English.
	_, body = u.do(t, http.MethodGet, "/inbox", "", "", "Accept-Language", "ja")
	mustContain(t, "the inbox for a Japanese browser", body, `<html lang="en">`, `>Inbox</a>`)

	anon := e.anonymous(t)
	_, body = anon.do(t, http.MethodGet, "/login", "", "", "Accept-Language", "fr")
	mustContain(t, "the sign-in page in French", body, `Se connecter`)

	// The words Go code hands the page follow the language too: the title, a timeline event, an
	// age and a date.
	conv := e.customer(t, "fr-1", "lea@example.com", "Léa", "Colis", "Où est mon colis ?")
	if _, err := e.store.Assign(context.Background(), conv.ConversationID, u.agent.ID, inbox.Actor{AgentID: u.agent.ID}); err != nil {
		t.Fatal(err)
	}
	at := e.clock().UTC()
	e.advance(5 * time.Minute)
	fr := []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
	_, body = u.do(t, http.MethodGet, "/inbox", "", "", "Accept-Language", "fr")
	mustContain(t, "the French inbox's words from Go", body, `<title>Boîte de réception · Parley</title>`, `>5 min</time>`,
		fmt.Sprintf(`title="%d %s à %s UTC"`, at.Day(), fr[at.Month()-1], at.Format("15:04")))
	_, body = u.do(t, http.MethodGet, "/inbox/"+i64(conv.ConversationID), "", "", "Accept-Language", "fr")
	mustContain(t, "the French timeline", body, "amelie a pris cette conversation")
	_, body = u.get(t, "/inbox/"+i64(conv.ConversationID))
	mustContain(t, "the English timeline", body, "<title>Léa · Inbox · Parley</title>", "amelie took this conversation")
	mustNotContain(t, "the English timeline", body, "a pris cette conversation")
}

func TestLocaleForMatchesAcceptLanguage(t *testing.T) {
	cs := withFrench(t)
	for accept, want := range map[string]string{
		"":                     "en",
		"fr":                   "fr",
		"fr-CA":                "fr",
		"de-DE, fr;q=0.8":      "fr",
		"en-GB, fr;q=0.8":      "en",
		"ja":                   "en",
		"*":                    "en",
		"not a header ;;; q=x": "en",
	} {
		r := httptest.NewRequest(http.MethodGet, "/inbox", nil)
		if accept != "" {
			r.Header.Set("Accept-Language", accept)
		}
		if got := cs.localeFor(r); got != want {
			t.Errorf("Accept-Language %q: locale %q, want %q", accept, got, want)
		}
	}
}

func TestTFillsParametersAndChoosesPluralForms(t *testing.T) {
	cs := withFrench(t)
	en, fr := cs.t("en"), cs.t("fr")
	one := int64(1)
	for _, c := range []struct {
		t      func(string, ...any) (string, error)
		key    string
		params []any
		want   string
	}{
		{en, "tokens.in_days", []any{"count", 1}, "in 1 day"},
		{en, "tokens.in_days", []any{"count", 30}, "in 30 days"},
		{en, "tokens.in_days", []any{"count", 0}, "in 0 days"},
		{en, "tokens.in_days", []any{"count", &one}, "in 1 day"},
		{fr, "tokens.in_days", []any{"count", 0}, "dans 0 jour"}, // French says 0 in the singular
		{fr, "tokens.in_days", []any{"count", int64(2)}, "dans 2 jours"},
		{en, "admin.agents.edit_name", []any{"name", "Ada <3"}, "Edit Ada <3"},
		{fr, "admin.agents.edit_name", []any{"name", "Ada"}, "Edit Ada"}, // not translated: English
		{en, "common.status", nil, "Status"},
	} {
		got, err := c.t(c.key, c.params...)
		if err != nil || got != c.want {
			t.Errorf("%s %v: %q, %v; want %q", c.key, c.params, got, err, c.want)
		}
	}
	if _, err := en("no.such.key"); err == nil || !strings.Contains(err.Error(), "web/i18n/en.json") {
		t.Errorf("an unknown key: %v, want an error naming the catalogue", err)
	}
	if _, err := en("common.status", "count"); err == nil {
		t.Error("an odd parameter list was accepted")
	}
	// Go code's words: a duration takes each unit from the language (English where it lacks one),
	// a date its month's name.
	frWords := cs.words("fr")
	if got, want := frWords.duration(90*time.Minute), "1h 30 min"; got != want {
		t.Errorf("a French duration: %q, want %q", got, want)
	}
	if got, want := frWords.clock(time.Date(2026, 2, 3, 9, 5, 0, 0, time.UTC)), "3 févr. à 09:05 UTC"; got != want {
		t.Errorf("a French date: %q, want %q", got, want)
	}
	if got, want := frWords.t("no.such.key"), "no.such.key"; got != want {
		t.Errorf("a key the catalogue lacks shows as %q, want itself", got)
	}
}

func TestACatalogueThatCannotBeUsedIsRefused(t *testing.T) {
	en := []byte(`{"a.b": "A", "a.c": {"one": "{count} c", "other": "{count} cs"}}`)
	for name, fsys := range map[string]fstest.MapFS{
		"no English":               {"fr.json": {Data: []byte(`{"a.b": "A"}`)}},
		"a key English lacks":      {"en.json": {Data: en}, "fr.json": {Data: []byte(`{"a.x": "X"}`)}},
		"not JSON":                 {"en.json": {Data: []byte(`{"a.b": `)}},
		"plural forms w/o other":   {"en.json": {Data: []byte(`{"a.c": {"one": "c"}}`)}},
		"a file that is not a tag": {"en.json": {Data: en}, "not_a_language!.json": {Data: []byte(`{}`)}},
	} {
		if _, err := loadCatalogs(fsys); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestTheShippedCatalogueRendersEveryPageTemplate(t *testing.T) {
	// Every page and partial parses with the catalogue's functions, in every shipped language.
	v, err := newViews(time.Now, true, mustCatalogs())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.pages[fallbackLocale]) < 30 {
		t.Fatalf("%d page templates parsed", len(v.pages[fallbackLocale]))
	}
}

func TestTHKeepsTheCataloguesMarkupAndEscapesParameters(t *testing.T) {
	cs := withFrench(t)
	got, err := cs.th("en")("password.forgot.sent_html", "email", `<b>"x"@example.com`)
	want := `If an agent signs in with <strong>&lt;b&gt;&#34;x&#34;@example.com</strong>, a link`
	if err != nil || !strings.HasPrefix(string(got), want) {
		t.Errorf("th: %q, %v; want it to start %q", got, err, want)
	}
	if _, err := cs.th("en")("common.status"); err == nil {
		t.Error("th took a key without markup")
	}
	if _, err := cs.t("en")("inbox.empty_html"); err == nil {
		t.Error("t took a key with markup (its tags would show escaped)")
	}
}
