package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// i18nFS holds the catalogues of the agent interface's strings, one JSON file per language
// (i18n/en.json, i18n/de.json, ...). English is the one shipped and the fallback.
//
//go:embed i18n
var i18nFS embed.FS

// fallbackLocale is the language every key exists in and the one chosen when nothing matches.
const fallbackLocale = "en"

// jsKeyPrefix marks the keys the scripts use: the layout hands them to the page as JSON.
const jsKeyPrefix = "js."

// catalog is one language's strings by key. A value is a string, or an object of CLDR plural
// forms ("one", "other", "few", ...) chosen by the "count" parameter. A string names its
// parameters in braces: "{name} joined {team}".
type catalog struct {
	tag  language.Tag
	msgs map[string]message
}

// message is one catalogue entry: a text, or plural forms by CLDR category.
type message struct {
	text  string
	forms map[string]string
}

// UnmarshalJSON reads a string or an object of plural forms.
func (m *message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.text)
	}
	if err := json.Unmarshal(b, &m.forms); err != nil {
		return fmt.Errorf("a string or an object of plural forms: %w", err)
	}
	if _, ok := m.forms["other"]; !ok {
		return fmt.Errorf("plural forms without \"other\"")
	}
	return nil
}

// MarshalJSON writes the message as the catalogue holds it (the scripts read it so).
func (m message) MarshalJSON() ([]byte, error) {
	if m.forms != nil {
		return json.Marshal(m.forms)
	}
	return json.Marshal(m.text)
}

// catalogs are every language the interface speaks, and the matcher that picks one for a
// request.
type catalogs struct {
	byLocale map[string]*catalog
	locales  []string // sorted, fallbackLocale first
	matcher  language.Matcher
}

// loadCatalogs reads every *.json file at the root of fsys as a catalogue named by the file
// (de.json is "de"). It fails when a file does not parse, when English is missing, or when a
// language has a key English lacks (a translation of nothing).
func loadCatalogs(fsys fs.FS) (*catalogs, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	cs := &catalogs{byLocale: map[string]*catalog{}}
	for _, f := range files {
		locale := strings.TrimSuffix(path.Base(f), ".json")
		tag, err := language.Parse(locale)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: the file name is not a language tag: %w", f, err)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		c := &catalog{tag: tag, msgs: map[string]message{}}
		if err := json.Unmarshal(b, &c.msgs); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		cs.byLocale[locale] = c
	}
	en, ok := cs.byLocale[fallbackLocale]
	if !ok {
		return nil, fmt.Errorf("i18n: no %s.json", fallbackLocale)
	}
	for locale, c := range cs.byLocale {
		for k := range c.msgs {
			if _, ok := en.msgs[k]; !ok {
				return nil, fmt.Errorf("i18n: %s.json: key %q is not in %s.json", locale, k, fallbackLocale)
			}
		}
	}
	cs.locales = slices.Sorted(maps.Keys(cs.byLocale))
	slices.SortStableFunc(cs.locales, func(a, b string) int {
		switch {
		case a == fallbackLocale:
			return -1
		case b == fallbackLocale:
			return 1
		}
		return 0
	})
	tags := make([]language.Tag, len(cs.locales))
	for i, l := range cs.locales {
		tags[i] = cs.byLocale[l].tag
	}
	cs.matcher = language.NewMatcher(tags)
	return cs, nil
}

// mustCatalogs loads the embedded catalogues; a broken one is a build defect.
func mustCatalogs() *catalogs {
	sub, err := fs.Sub(i18nFS, "i18n")
	if err != nil {
		panic(err)
	}
	cs, err := loadCatalogs(sub)
	if err != nil {
		panic(err)
	}
	return cs
}

// localeFor picks the language of a request's pages: the best match of the browser's
// Accept-Language among the catalogues, else English. (Agents have no language preference
// of their own yet; when they do, it goes first here.)
func (cs *catalogs) localeFor(r *http.Request) string {
	accept := r.Header.Get("Accept-Language")
	if accept == "" || len(cs.locales) == 1 {
		return fallbackLocale
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return fallbackLocale
	}
	_, i, conf := cs.matcher.Match(tags...)
	if conf == language.No {
		return fallbackLocale
	}
	return cs.locales[i]
}

// t is the template function of one language: the text of key with its parameters filled in,
// given as name, value pairs ({{t "inbox.count" "count" .N}}). A key the language lacks falls
// back to English; a key English lacks, or an odd parameter list, is an error that stops the
// page (a test walks the templates so it never ships). Keys ending "_html" are th's.
func (cs *catalogs) t(locale string) func(key string, params ...any) (string, error) {
	return func(key string, params ...any) (string, error) {
		if strings.HasSuffix(key, htmlKeySuffix) {
			return "", fmt.Errorf("i18n: %q holds markup: write {{th %q}}", key, key)
		}
		return cs.text(locale, key, params, func(s string) string { return s })
	}
}

// htmlKeySuffix marks the keys whose text carries markup of its own (<kbd>, <code>, a link).
const htmlKeySuffix = "_html"

// th is t for a text with markup of its own (a key ending "_html"): the catalogue's markup is
// kept, every parameter is escaped. The catalogue is part of the binary, written by us and our
// translators, so its markup is trusted as the templates are.
func (cs *catalogs) th(locale string) func(key string, params ...any) (template.HTML, error) {
	return func(key string, params ...any) (template.HTML, error) {
		if !strings.HasSuffix(key, htmlKeySuffix) {
			return "", fmt.Errorf("i18n: %q holds no markup: write {{t %q}}", key, key)
		}
		s, err := cs.text(locale, key, params, template.HTMLEscapeString)
		return template.HTML(s), err
	}
}

// text is key's text in locale (English when locale lacks it) with params, each passed
// through escape, in place of their {name}s.
func (cs *catalogs) text(locale, key string, params []any, escape func(string) string) (string, error) {
	m, ok := cs.byLocale[locale].msgs[key]
	tag := cs.byLocale[locale].tag
	if !ok {
		m, ok = cs.byLocale[fallbackLocale].msgs[key]
		tag = cs.byLocale[fallbackLocale].tag
	}
	if !ok {
		return "", fmt.Errorf("i18n: no string %q in the catalogue (web/i18n/%s.json)", key, fallbackLocale)
	}
	if len(params)%2 != 0 {
		return "", fmt.Errorf("i18n: %q: parameters come in name, value pairs", key)
	}
	text := m.text
	if m.forms != nil {
		text = m.forms[pluralForm(tag, params)]
		if text == "" {
			text = m.forms["other"]
		}
	}
	if len(params) == 0 {
		return text, nil
	}
	pairs := make([]string, 0, len(params))
	for i := 0; i < len(params); i += 2 {
		name, ok := params[i].(string)
		if !ok {
			return "", fmt.Errorf("i18n: %q: parameter %d's name is not a string", key, i/2)
		}
		pairs = append(pairs, "{"+name+"}", escape(printable(params[i+1])))
	}
	return strings.NewReplacer(pairs...).Replace(text), nil
}

// printable is a parameter as a template prints it: a pointer by what it points to.
func printable(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return ""
	}
	return fmt.Sprint(rv.Interface())
}

// jsStrings is the part of a language's catalogue the scripts use (keys starting "js."),
// English filling the gaps; the layout writes it into the page as JSON.
func (cs *catalogs) jsStrings(locale string) map[string]message {
	out := map[string]message{}
	for _, l := range []string{fallbackLocale, locale} {
		for k, m := range cs.byLocale[l].msgs {
			if strings.HasPrefix(k, jsKeyPrefix) {
				out[k] = m
			}
		}
	}
	return out
}

// pluralForm is the CLDR plural category of the "count" parameter in lang ("other" without one).
func pluralForm(lang language.Tag, params []any) string {
	for i := 0; i+1 < len(params); i += 2 {
		if params[i] != "count" {
			continue
		}
		v := reflect.ValueOf(params[i+1])
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		var n int
		switch {
		case v.CanInt():
			n = int(v.Int() % 10_000_000)
		case v.CanUint():
			n = int(v.Uint() % 10_000_000)
		default:
			return "other"
		}
		if n < 0 {
			n = -n
		}
		return formName(plural.Cardinal.MatchPlural(lang, n, 0, 0, 0, 0))
	}
	return "other"
}

// formName is the CLDR name of an x/text plural form, as catalogues spell it.
func formName(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}
