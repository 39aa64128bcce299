package web

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestTheWordsCheckFindsWords proves the checks above can fail: each synthetic file shows a
// word of its own, and the check names it with its line.
func TestTheWordsCheckFindsWords(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"{{define \"main\"}}\n<p>Hello</p>{{end}}", `x.html:2: text "Hello"`},
		{"{{define \"main\"}}<p>{{t \"a.b\"}} and {{.Name}}</p>{{end}}", `x.html:1: text "and"`},
		{"{{if .X}}\n\n<button type=\"button\" title=\"Close it\">×</button>{{end}}", `x.html:3: <button title="Close it">`},
		{"<input type=\"submit\" value=\"Save\">", `<input value="Save">`},
		{"<input placeholder=\"{{.X}} more\">", `more">`},
		{"<form data-confirm=\"Delete {{.Name}}?\">", `<form data-confirm="Delete          ?">`},
		{"<h2>{{or .Subject \"(no subject)\"}}</h2>", `"(no subject)" in`},
		{"<td>{{or .Name (printf \"#%d (deleted)\" .ID)}}</td>", `"#%d (deleted)" in`},
		{"<p>{{\"Welcome\"}}</p>", `"Welcome" in`},
		{"<dd>Send</dd><dt><kbd>Enter</kbd></dt>", `text "Send"`},
	} {
		f, err := parseTemplate("x.html", c.src)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(f.untranslated(), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%q: found %q, want %q", c.src, got, c.want)
		}
	}
	for _, src := range []string{
		"{{define \"main\"}}<p>{{t \"a.b\"}}</p>{{end}}",
		"<a class=\"brand\" href=\"/inbox\" aria-label=\"{{t \"a.b\"}}\">Parley</a>",
		"<dt><kbd>j</kbd> / <kbd>k</kbd></dt><p>#{{.ID}} · {{.Name}}</p>",
		"<input type=\"hidden\" name=\"view\" value=\"mine\"><option value=\"open\">{{.}}</option>",
		"{{if eq .Status \"closed\"}}<p hidden>{{/* A comment says words. */}}</p>{{end}}",
		"<span>{{printf \"%.1f\" .Width}}</span>{{$id := print \"attr-\" .Key}}",
	} {
		f, err := parseTemplate("x.html", src)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.untranslated(); len(got) > 0 {
			t.Errorf("%q: found %q, want nothing", src, got)
		}
	}
	for _, src := range []string{
		"el.textContent = 'Sound on';",
		"toast(`Snoozed until ${until}.`);",
		"confirm(\"Close it?\")",
		"menu.setAttribute('aria-label', 'Agents to mention');",
	} {
		if !scriptWords.MatchString(src) {
			t.Errorf("the script check misses %s", src)
		}
	}
	for _, src := range []string{"el.textContent = t('js.a.b');", "toast(err.message, { error: true });", "el.textContent = `#${r.id}`;"} {
		if scriptWords.MatchString(src) {
			t.Errorf("the script check flags %s", src)
		}
	}
}

// TestTranslationsUseEnglishsParameters: a translation naming a {parameter} the English text
// does not have would show it raw.
func TestTranslationsUseEnglishsParameters(t *testing.T) {
	cs := mustCatalogs()
	param := regexp.MustCompile(`\{(\w+)\}`)
	params := func(m message) map[string]bool {
		out := map[string]bool{}
		for _, s := range append(slices.Collect(maps.Values(m.forms)), m.text) {
			for _, p := range param.FindAllStringSubmatch(s, -1) {
				out[p[1]] = true
			}
		}
		return out
	}
	en := cs.byLocale[fallbackLocale].msgs
	for locale, c := range cs.byLocale {
		for k, m := range c.msgs {
			want := params(en[k])
			for p := range params(m) {
				if !want[p] {
					t.Errorf("web/i18n/%s.json: %q names {%s}, which English does not give", locale, k, p)
				}
			}
		}
	}
}
