package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"golang.org/x/net/html"
)

// These tests keep the catalogue (web/i18n/en.json) and the interface's files true to each
// other: every key used exists, every key is used, and no template or script shows words of
// its own. They walk the real files.

// fixHint is what a failure tells the developer to do.
const fixHint = `Move the words into web/i18n/en.json under a readable key ("page.what": "Text") and write ` +
	`{{t "page.what"}} in the template ({{t "page.what" "name" .Value}} for a {name} in the text; ` +
	`"count" chooses plural forms: "key": {"one": "{count} thing", "other": "{count} things"}; a text ` +
	`with markup of its own has a key ending "_html", written {{th "page.what_html"}}), or ` +
	`t('js.file.what', { name }) in a script (import { t } from './i18n.js'; script keys start with "js.").`

// visibleAttrs are the attributes whose value a person reads or hears.
var visibleAttrs = []string{"title", "placeholder", "aria-label", "aria-description", "aria-roledescription",
	"aria-placeholder", "aria-valuetext", "alt", "label", "data-confirm"}

// allowedText is text that is no word to translate: the brand.
var allowedText = []string{"Parley"}

// printingFuncs are the template functions whose string arguments end up on the page.
var printingFuncs = []string{"or", "print", "printf", "println"}

// templateFile is one template's source and parse trees.
type templateFile struct {
	name  string
	src   string
	trees map[string]*parse.Tree
}

func readTemplates(t *testing.T) []templateFile {
	t.Helper()
	var files []templateFile
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parseTemplate("web/"+p, string(b))
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("only %d templates found", len(files))
	}
	return files
}

func parseTemplate(name, src string) (templateFile, error) {
	tr := parse.New(name)
	tr.Mode = parse.SkipFuncCheck | parse.ParseComments
	trees := map[string]*parse.Tree{}
	if _, err := tr.Parse(src, "{{", "}}", trees); err != nil {
		return templateFile{}, err
	}
	return templateFile{name: name, src: src, trees: trees}, nil
}

// walk calls visit on every node of the trees, parents first.
func walk(n parse.Node, visit func(parse.Node)) {
	if n == nil {
		return
	}
	visit(n)
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return
		}
		for _, c := range x.Nodes {
			walk(c, visit)
		}
	case *parse.ActionNode:
		walk(x.Pipe, visit)
	case *parse.PipeNode:
		if x == nil {
			return
		}
		for _, c := range x.Cmds {
			walk(c, visit)
		}
	case *parse.CommandNode:
		for _, a := range x.Args {
			walk(a, visit)
		}
	case *parse.IfNode:
		walkBranch(&x.BranchNode, visit)
	case *parse.RangeNode:
		walkBranch(&x.BranchNode, visit)
	case *parse.WithNode:
		walkBranch(&x.BranchNode, visit)
	case *parse.TemplateNode:
		walk(x.Pipe, visit)
	case *parse.ChainNode:
		walk(x.Node, visit)
	}
}

func walkBranch(b *parse.BranchNode, visit func(parse.Node)) {
	walk(b.Pipe, visit)
	walk(b.List, visit)
	if b.ElseList != nil {
		walk(b.ElseList, visit)
	}
}

// templateKeys are the keys the file's t calls name; a t call whose key is not a literal
// string is a problem (the check could not see which key it uses).
func (f templateFile) templateKeys() (keys map[string][]string, problems []string) {
	keys = map[string][]string{}
	for _, tr := range f.trees {
		walk(tr.Root, func(n parse.Node) {
			cmd, ok := n.(*parse.CommandNode)
			if !ok || len(cmd.Args) == 0 {
				return
			}
			id, ok := cmd.Args[0].(*parse.IdentifierNode)
			if !ok || (id.Ident != "t" && id.Ident != "th") {
				return
			}
			if len(cmd.Args) < 2 {
				problems = append(problems, fmt.Sprintf("%s: t without a key", f.where(cmd.Position())))
				return
			}
			s, ok := cmd.Args[1].(*parse.StringNode)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: t's key must be a literal string", f.where(cmd.Position())))
				return
			}
			if markup := strings.HasSuffix(s.Text, htmlKeySuffix); markup != (id.Ident == "th") {
				problems = append(problems, fmt.Sprintf("%s: %s %q: keys ending %q (their text has markup) are th's, the others t's",
					f.where(cmd.Position()), id.Ident, s.Text, htmlKeySuffix))
			}
			keys[s.Text] = append(keys[s.Text], f.where(cmd.Position()))
		})
	}
	return keys, problems
}

// where is file:line of a byte offset.
func (f templateFile) where(pos parse.Pos) string {
	return fmt.Sprintf("%s:%d", f.name, 1+strings.Count(f.src[:min(int(pos), len(f.src))], "\n"))
}

// skeleton is the file as the browser's parser would see its markup: every byte outside the
// template's text nodes (actions, comments) becomes a space, lines kept.
func (f templateFile) skeleton() []byte {
	b := bytes.Repeat([]byte(" "), len(f.src))
	for i, c := range []byte(f.src) {
		if c == '\n' {
			b[i] = '\n'
		}
	}
	for _, tr := range f.trees {
		walk(tr.Root, func(n parse.Node) {
			if x, ok := n.(*parse.TextNode); ok {
				start := int(x.Position())
				if start >= 0 && start+len(x.Text) <= len(f.src) && f.src[start:start+len(x.Text)] == string(x.Text) {
					copy(b[start:], x.Text)
				}
			}
		})
	}
	return b
}

// hasWords reports whether s holds letters that are not the brand.
func hasWords(s string) bool {
	s = strings.TrimSpace(s)
	if slices.Contains(allowedText, s) {
		return false
	}
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// untranslated lists the words f shows outside the catalogue, each as file:line and what.
func (f templateFile) untranslated() []string {
	var out []string
	src := f.skeleton()
	z := html.NewTokenizer(bytes.NewReader(src))
	offset := 0
	kbd := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		at := f.where(parse.Pos(offset + len(raw) - len(bytes.TrimLeft(raw, " \n\t"))))
		offset += len(raw)
		switch tt {
		case html.TextToken:
			text := string(z.Text())
			// A key's name (<kbd>j</kbd>) is one character: no word.
			if kbd > 0 && len([]rune(strings.TrimSpace(text))) == 1 {
				continue
			}
			if hasWords(text) {
				out = append(out, fmt.Sprintf("%s: text %q", at, strings.Join(strings.Fields(text), " ")))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) == "kbd" && tt == html.StartTagToken {
				kbd++
			}
			attrs := map[string]string{}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			for _, a := range slices.Sorted(maps.Keys(attrs)) {
				v := attrs[a]
				button := a == "value" && string(name) == "input" && slices.Contains([]string{"submit", "button", "reset"}, attrs["type"])
				if (slices.Contains(visibleAttrs, a) || button) && hasWords(v) {
					out = append(out, fmt.Sprintf("%s: <%s %s=%q>", at, name, a, v))
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "kbd" && kbd > 0 {
				kbd--
			}
		}
	}
	// Words inside actions that print them: {{or .Name "Nobody"}}, {{print "Hello"}}, {{"Hi"}}.
	for _, tr := range f.trees {
		walk(tr.Root, func(n parse.Node) {
			act, ok := n.(*parse.ActionNode)
			if !ok || len(act.Pipe.Decl) > 0 {
				return
			}
			for _, s := range printedStrings(act.Pipe) {
				out = append(out, fmt.Sprintf("%s: %q in %s", f.where(s.Position()), s.Text, act))
			}
		})
	}
	return out
}

// printVerb is a printf verb, which is no word.
var printVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// printedStrings are the literal strings with words that a pipeline prints.
func printedStrings(p *parse.PipeNode) []*parse.StringNode {
	var out []*parse.StringNode
	for _, cmd := range p.Cmds {
		if len(cmd.Args) == 1 {
			if s, ok := cmd.Args[0].(*parse.StringNode); ok && hasWords(s.Text) {
				out = append(out, s)
			}
			continue
		}
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		if !ok || !slices.Contains(printingFuncs, id.Ident) {
			continue
		}
		for i, a := range cmd.Args[1:] {
			switch x := a.(type) {
			case *parse.StringNode:
				text := x.Text
				if id.Ident == "printf" && i == 0 {
					text = printVerb.ReplaceAllString(text, "")
				}
				if hasWords(text) {
					out = append(out, x)
				}
			case *parse.PipeNode:
				out = append(out, printedStrings(x)...)
			}
		}
	}
	return out
}

// scriptFiles are the hand-written scripts of the agent interface.
func scriptFiles(t *testing.T) map[string]string {
	t.Helper()
	names, err := fs.Glob(staticFS, "static/js/*.js")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		b, err := staticFS.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out["web/"+n] = string(b)
	}
	if len(out) < 20 {
		t.Fatalf("only %d scripts found", len(out))
	}
	return out
}

// scriptKey is a catalogue key written in a script: every quoted 'js.…' string is one (keys
// kept in a table, then passed to t, count too).
var scriptKey = regexp.MustCompile(`'(js\.[a-z0-9_.]+)'`)

// scriptCall is a call of t in a script; its key must be a literal.
var scriptCall = regexp.MustCompile(`\bt\(\s*([^)]{0,60})`)

// goLiteral is a Go string literal that looks like a key.
var goLiteral = regexp.MustCompile(`"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// scriptKeyArg is how a script's t call names its key: 'js.…', cond ? 'js.…' : 'js.…', or
// table[name] (the table's 'js.…' strings are found by scriptKey).
var scriptKeyArg = regexp.MustCompile(`^(?:'js\.|.*\? 'js\.|\w+\[)`)

// scriptWords are the places a script shows a literal string of its own: text, a placeholder,
// a title or an aria-label set from a string, and a toast, confirm or error said in words.
var scriptWords = regexp.MustCompile(`(?:\.(?:textContent|placeholder|title|innerText)\s*=|` +
	`setAttribute\(\s*'(?:aria-label|title|placeholder|alt)',|\b(?:toast|confirm|alert|say|fail)\(|new Error\()` +
	`\s*(?:'[^']*\pL[^']*'|"[^"]*\pL[^"]*"|` + "`[^`$]*\\pL[^`]*`" + `)`)

func TestEveryCatalogueKeyIsUsedAndEveryUsedKeyExists(t *testing.T) {
	cs := mustCatalogs()
	en := cs.byLocale[fallbackLocale].msgs
	used := map[string][]string{}
	for _, f := range readTemplates(t) {
		keys, problems := f.templateKeys()
		for _, p := range problems {
			t.Error(p)
		}
		for k, at := range keys {
			used[k] = append(used[k], at...)
		}
	}
	for name, src := range scriptFiles(t) {
		for _, m := range scriptKey.FindAllStringSubmatchIndex(src, -1) {
			k := src[m[2]:m[3]]
			used[k] = append(used[k], fmt.Sprintf("%s:%d", name, 1+strings.Count(src[:m[0]], "\n")))
		}
		if name == "web/static/js/i18n.js" {
			continue
		}
		for _, m := range scriptCall.FindAllStringSubmatchIndex(src, -1) {
			if arg := src[m[2]:m[3]]; !scriptKeyArg.MatchString(arg) {
				t.Errorf("%s:%d: t(%s…): a script's key is a literal 'js.…' string, a choice of two or a table of them",
					name, 1+strings.Count(src[:m[0]], "\n"), arg)
			}
		}
	}
	// Go code names keys too (the words for values, web/i18nnames.go): every literal string of
	// the package's own files that is a key counts as a use.
	goFiles, err := fs.Glob(os.DirFS("."), "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range goFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goLiteral.FindAllSubmatch(b, -1) {
			if k := string(m[1]); en[k].text != "" || en[k].forms != nil {
				used[k] = append(used[k], "web/"+name)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(used)) {
		if _, ok := en[k]; !ok {
			t.Errorf("%s: key %q is not in web/i18n/en.json", used[k][0], k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(en)) {
		if _, ok := used[k]; !ok {
			t.Errorf("web/i18n/en.json: key %q is used by no template or script: remove it", k)
		}
	}
}

func TestTemplatesShowNoWordsOutsideTheCatalogue(t *testing.T) {
	var found []string
	for _, f := range readTemplates(t) {
		found = append(found, f.untranslated()...)
	}
	if len(found) > 0 {
		t.Errorf("%d strings in the templates are not in the catalogue:\n%s\n\n%s", len(found), strings.Join(found, "\n"), fixHint)
	}
}

func TestScriptsShowNoWordsOutsideTheCatalogue(t *testing.T) {
	var found []string
	for name, src := range scriptFiles(t) {
		for _, m := range scriptWords.FindAllStringIndex(src, -1) {
			found = append(found, fmt.Sprintf("%s:%d: %s", name, 1+strings.Count(src[:m[0]], "\n"), src[m[0]:m[1]]))
		}
	}
	slices.Sort(found)
	if len(found) > 0 {
		t.Errorf("%d strings in the scripts are not in the catalogue:\n%s\n\n%s", len(found), strings.Join(found, "\n"), fixHint)
	}
}
