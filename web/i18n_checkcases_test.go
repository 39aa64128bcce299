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

// TestTheGoWordsCheckFindsWords proves the Go code's check can fail: each synthetic file hands a
// page words of its own, or names a key the catalogue lacks, and the check names it with its
// line; the files that take every word from the catalogue pass.
func TestTheGoWordsCheckFindsWords(t *testing.T) {
	keys := map[string]message{"title.inbox": {text: "Inbox"}, "notice.x.saved": {text: "Saved."}, "timeline.took": {text: "{who} took this"}}
	const head = "package web\n\n"
	for _, c := range []struct{ src, want string }{
		{head + "func a(s *Server, r *http.Request) {\n\ts.render(w, r, 200, \"x\", page{Title: \"Agents\"})\n}", `x.go:4:39: "Agents" is shown`},
		{head + "func a() page {\n\treturn page{Error: \"Not saved: \" + err.Error()}\n}", `"Not saved: " is shown`},
		{head + "func a() page {\n\treturn page{Notice: fmt.Sprintf(\"Imported: %d created.\", n)}\n}", `"Imported: %d created." is shown`},
		{head + "var fooNotices = map[string]string{\"saved\": \"Saved.\"}", `"Saved." is shown`},
		{head + "func a() page {\n\treturn page{Notice: notices[r.URL.Query().Get(\"saved\")]}\n}", `notices holds catalogue keys`},
		{head + "func a() {\n\tp := page{}\n\tp.Title = name + \" · Inbox\"\n}", `" · Inbox" is shown`},
		{head + "func a() {\n\tnotice := \"Connection test passed.\"\n}", `"Connection test passed." is shown`},
		{head + "func render(notice, errMsg string) {}\nfunc a() {\n\trender(\"\", \"Wrong code.\")\n}", `x.go:5:13: "Wrong code." is shown`},
		{head + "func a(refuse func(status int, errMsg string)) {\n\trefuse(400, \"Wrong code.\")\n}", `"Wrong code." is shown`},
		{head + "func a() {\n\trefuse := func(status int, reason, errMsg string) {}\n\trefuse(400, \"state\", \"Expired.\")\n}", `"Expired." is shown`},
		{head + "func describe() (string, bool) {\n\treturn who + \" took this conversation\", false\n}", `" took this conversation" is shown`},
		{head + "func a(w words) string {\n\treturn w.t(\"title.agents\")\n}", `key "title.agents" is not in web/i18n/en.json`},
		{head + "func a(w words) page {\n\treturn page{Title: w.t(\"title.inbox\", \"name\", \"Ada's inbox\")}\n}", `"Ada's inbox" is shown`},
		{head + "func a(w words) []string {\n\treturn w.header(\"title.inbox\", \"csv.nothing\")\n}", `key "csv.nothing" is not in`},
		{head + "var monthKeys = [2]string{\"title.inbox\", \"date.jnu\"}", `key "date.jnu" is not in`},
		{head + "func a(w words, k string) string {\n\treturn w.t(k + \".x\")\n}", `t's key must be a literal`},
	} {
		got := strings.Join(newGoWordsCheck(t, keys, map[string]string{"x.go": c.src}).run(), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s\nfound %q, want %q", c.src, got, c.want)
		}
	}
	for _, src := range []string{
		head + "func a(s *Server, r *http.Request) {\n\ts.render(w, r, 200, \"x\", page{Title: s.words(r).t(\"title.inbox\"), Nav: \"inbox\"})\n}",
		head + "var fooNotices = map[string]string{\"saved\": \"notice.x.saved\"}\nfunc a() page {\n\treturn page{Notice: w.t(fooNotices[r.URL.Query().Get(\"saved\")])}\n}",
		head + "func describe(w words) (string, bool) {\n\treturn w.t(\"timeline.took\", \"who\", \"Parley\"), false\n}",
		head + "func a() {\n\tmsg := \"malformed form\"\n\tlog.Error(\"render\", \"page\", name)\n}",
	} {
		if got := newGoWordsCheck(t, keys, map[string]string{"x.go": src}).run(); len(got) > 0 {
			t.Errorf("%s\nfound %q, want nothing", src, got)
		}
	}
}
