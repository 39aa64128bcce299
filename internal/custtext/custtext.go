// Package custtext is the one catalogue of what customers read: the chat widget's words, the
// satisfaction survey in every channel (email, SMS, chat, Slack) and its web page, and the
// chat's and Slack's notes to a customer. English, German, French, Spanish and Portuguese are
// shipped, one embedded JSON file per language (lang/en.json ...), keyed alike, each text with
// the same named placeholders ({agent}, {score}) as its English original.
//
// An inbox may override any text in any language (inbox_texts, owned by package inbox); Set
// resolves a key through override(lang), catalogue(lang), override(en), catalogue(en).
//
// The catalogue is embedded data parsed once and never changed after; a malformed file is a
// build defect that the package's tests catch, so parsing panics rather than returning an error.
package custtext

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// English is the catalogue's original language and the last resort of every lookup.
const English = "en"

// languages are the shipped languages, English first.
var languages = []string{English, "de", "fr", "es", "pt"}

// names are the languages' own names, for pickers.
var names = map[string]string{"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "pt": "Português"}

//go:embed lang/*.json
var files embed.FS

// catalogue holds every language's texts by key, parsed from files once.
var catalogue = sync.OnceValue(func() map[string]map[string]string {
	out := make(map[string]map[string]string, len(languages))
	for _, lang := range languages {
		b, err := files.ReadFile("lang/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("custtext: %s: %v", lang, err))
		}
		var texts map[string]string
		if err := json.Unmarshal(b, &texts); err != nil {
			panic(fmt.Sprintf("custtext: %s: %v", lang, err))
		}
		out[lang] = texts
	}
	return out
})

// Languages returns the shipped languages' codes (ISO 639-1), English first.
func Languages() []string { return slices.Clone(languages) }

// Name returns a shipped language's own name ("Français"), or "" for another code.
func Name(lang string) string { return names[lang] }

// Supported reports whether lang is a shipped language's code.
func Supported(lang string) bool { return slices.Contains(languages, lang) }

// Match returns the first shipped language among a browser's preferences (navigator.languages
// or Accept-Language's tags, best first): "fr-FR" is French, "pt-BR" Portuguese. It reports
// false when none is shipped.
func Match(prefs []string) (string, bool) {
	for _, p := range prefs {
		p, _, _ = strings.Cut(strings.TrimSpace(p), ";") // an Accept-Language weight
		primary, _, _ := strings.Cut(p, "-")
		primary, _, _ = strings.Cut(primary, "_")
		if l := strings.ToLower(primary); Supported(l) {
			return l, true
		}
	}
	return "", false
}

// AcceptLanguage splits an Accept-Language header into its tags in order of preference
// (weights honoured, q=0 left out), for Match.
func AcceptLanguage(header string) []string {
	type tag struct {
		name string
		q    float64
	}
	var tags []tag
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				q = 0
			}
		}
		if name != "" && q > 0 {
			tags = append(tags, tag{name, q})
		}
	}
	slices.SortStableFunc(tags, func(a, b tag) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.name
	}
	return out
}

// Keys returns every key of the catalogue, sorted.
func Keys() []string { return slices.Sorted(maps.Keys(catalogue()[English])) }

// Known reports whether key is in the catalogue.
func Known(key string) bool {
	_, ok := catalogue()[English][key]
	return ok
}

// Text returns the catalogue's text of key in lang, without overrides; false when the
// language or the key is unknown.
func Text(lang, key string) (string, bool) {
	t, ok := catalogue()[lang][key]
	return t, ok
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Placeholders returns the names of the placeholders in text ("{agent}" is "agent"), sorted,
// each once.
func Placeholders(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// Error is why an override is refused: Field names what is wrong ("lang", "key", "body"),
// Reason says it in words.
type Error struct {
	Field, Reason string
}

// Error implements error.
func (e *Error) Error() string { return e.Field + ": " + e.Reason }

// MaxBody caps an override, in bytes.
const MaxBody = 2000

// Check reports, as an *Error, why body may not override key in lang: an unknown language or
// key, an empty or too long body, or placeholders other than the catalogue text's (each one
// missing or extra named).
func Check(lang, key, body string) error {
	if !Supported(lang) {
		return &Error{"lang", fmt.Sprintf("unknown language %q; choose one of %s", lang, strings.Join(languages, ", "))}
	}
	orig, ok := Text(lang, key)
	if !ok {
		return &Error{"key", fmt.Sprintf("unknown text key %q", key)}
	}
	if strings.TrimSpace(body) == "" {
		return &Error{"body", "must not be empty"}
	}
	if len(body) > MaxBody {
		return &Error{"body", fmt.Sprintf("is longer than %d bytes", MaxBody)}
	}
	want, got := Placeholders(orig), Placeholders(body)
	for _, p := range want {
		if !slices.Contains(got, p) {
			return &Error{"body", fmt.Sprintf("must keep the placeholder {%s}", p)}
		}
	}
	for _, p := range got {
		if !slices.Contains(want, p) {
			return &Error{"body", fmt.Sprintf("has the placeholder {%s}, which %s does not fill (it fills: %s)", p, key, list(want))}
		}
	}
	return nil
}

func list(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	return "{" + strings.Join(ps, "}, {") + "}"
}
