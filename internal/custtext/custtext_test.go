package custtext

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryLanguageHasEveryKey reads the embedded files themselves: each language has exactly
// English's keys, no empty text, and the same placeholders as English in each.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	t.Parallel()
	read := func(lang string) map[string]string {
		b, err := files.ReadFile("lang/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		return m
	}
	en := read(English)
	if len(en) < 50 {
		t.Fatalf("en.json has %d keys; the catalogue lost its texts", len(en))
	}
	entries, err := files.ReadDir("lang")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(Languages()) {
		t.Fatalf("lang/ holds %d files, %d languages are shipped", len(entries), len(Languages()))
	}
	for _, lang := range Languages() {
		texts := read(lang)
		for key, orig := range en {
			got, ok := texts[key]
			switch {
			case !ok:
				t.Errorf("%s lacks %s", lang, key)
			case strings.TrimSpace(got) == "":
				t.Errorf("%s %s is empty", lang, key)
			case !slices.Equal(Placeholders(got), Placeholders(orig)):
				t.Errorf("%s %s has placeholders %v, English %v", lang, key, Placeholders(got), Placeholders(orig))
			}
			if lang != English && got == orig && !sameInBoth[key] {
				t.Errorf("%s %s is the English text %q: not translated", lang, key, got)
			}
		}
		for key := range texts {
			if _, ok := en[key]; !ok {
				t.Errorf("%s has %s, which English lacks", lang, key)
			}
		}
		if n := len(strings.Split(texts["date.months"], "|")); n != 12 {
			t.Errorf("%s date.months has %d months", lang, n)
		}
	}
}

// sameInBoth are the keys whose text may read the same in a language as in English.
var sameInBoth = map[string]bool{"widget.name": true, "widget.message": true, "widget.messages": true,
	"date.format": true}

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prefs []string
		want  string
		ok    bool
	}{
		{[]string{"fr-FR", "fr", "en-US"}, "fr", true},
		{[]string{"nl-NL", "pt-BR"}, "pt", true},
		{[]string{"DE"}, "de", true},
		{[]string{"es_MX"}, "es", true},
		{[]string{"nl", "ja"}, "", false},
		{nil, "", false},
		{[]string{"fr-CA;q=0.8"}, "fr", true},
	} {
		got, ok := Match(c.prefs)
		if got != c.want || ok != c.ok {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", c.prefs, got, ok, c.want, c.ok)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	t.Parallel()
	got := AcceptLanguage("en;q=0.5, de-CH, fr;q=0.9, es;q=0")
	if want := []string{"de-CH", "fr", "en"}; !slices.Equal(got, want) {
		t.Fatalf("AcceptLanguage = %q, want %q", got, want)
	}
	if l, _ := Match(AcceptLanguage("ja, pt-PT;q=0.7")); l != "pt" {
		t.Fatalf("Match(ja, pt-PT) = %q", l)
	}
}

// TestSetFallback walks the order override(lang), catalogue(lang), override(en), catalogue(en).
func TestSetFallback(t *testing.T) {
	t.Parallel()
	over := Overrides{
		"fr": {"widget.send": "Expédier"},
		"en": {"widget.send": "Go", "widget.skip": "Later"},
	}
	fr := For("fr", over)
	if got := fr.Get("widget.send"); got != "Expédier" {
		t.Errorf("fr override: %q", got)
	}
	if got := fr.Get("widget.skip"); got != "Passer" {
		t.Errorf("fr catalogue before the English override: %q", got)
	}
	de := For("de", Overrides{"en": {"widget.send": "Go"}})
	if got := de.Get("widget.send"); got != "Senden" {
		t.Errorf("de catalogue: %q", got)
	}
	en := For("en", over)
	if got := en.Get("widget.skip"); got != "Later" {
		t.Errorf("en override: %q", got)
	}
	if got := For("nl", nil).Lang; got != English {
		t.Errorf("an unshipped language falls back to English, got %q", got)
	}
	if got := For("es", nil).Get("widget.chatting_with", "agent", "Ana"); got != "Chateando con Ana" {
		t.Errorf("placeholder: %q", got)
	}
	w := For("de", nil).Prefixed("widget.")
	if w["send"] != "Senden" || w["title"] != "Kundenservice" || len(w) < 40 {
		t.Errorf("Prefixed(widget.) = %d texts, send %q", len(w), w["send"])
	}
	if _, ok := w["question"]; ok {
		t.Error("Prefixed(widget.) holds a survey text")
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, time.March, 4, 12, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "March 4, 2026", "de": "4. März 2026", "fr": "4 mars 2026",
		"es": "4 de marzo de 2026", "pt": "4 de março de 2026"} {
		if got := For(lang, nil).Date(day); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang, key, body string
		field, reason   string
	}{
		{"fr", "widget.chatting_with", "Avec {agent}", "", ""},
		{"fr", "widget.send", "Envoyer maintenant", "", ""},
		{"nl", "widget.send", "Verstuur", "lang", `unknown language "nl"`},
		{"fr", "widget.nope", "x", "key", `unknown text key "widget.nope"`},
		{"fr", "widget.send", "  ", "body", "must not be empty"},
		{"fr", "widget.chatting_with", "Avec nous", "body", "must keep the placeholder {agent}"},
		{"de", "widget.send", "Senden an {agent}", "body", "has the placeholder {agent}"},
		{"en", "survey.link_valid", "{days} days, {hours} hours", "body", "it fills: {days}"},
		{"en", "widget.send", strings.Repeat("x", MaxBody+1), "body", "longer than"},
	} {
		err := Check(c.lang, c.key, c.body)
		if c.field == "" {
			if err != nil {
				t.Errorf("Check(%s, %s, %q) = %v", c.lang, c.key, c.body, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field || !strings.Contains(e.Reason, c.reason) {
			t.Errorf("Check(%s, %s, %q) = %v; want %s: ...%s...", c.lang, c.key, c.body, err, c.field, c.reason)
		}
	}
}
