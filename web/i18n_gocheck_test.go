package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The words Go code hands the pages (a page's title, a notice, an error, a timeline event) come
// from the catalogue too: handlers write s.words(r).t("key", "name", value). This check walks
// the package's own Go files (go/parser) and fails on a literal string with letters that reaches
// a page through one of the ways below, and on a t call whose key is not a literal the
// catalogue holds.

// shownFields are the fields of page (render.go) a person reads.
var shownFields = []string{"Title", "Notice", "Error"}

// shownNames are the variables and parameters whose value a page shows: a literal assigned to
// one, or passed to a function of the package in a parameter so named, is shown. (A msg is not
// one: the API's error messages stay English, and a page shows them only as the API says them.)
var shownNames = []string{"title", "notice", "errMsg", "heading", "refusal"}

// shownFuncs are the functions whose results are sentences a page shows (the timeline's).
var shownFuncs = []string{"describe", "describeAssign", "describeCategory", "describeSnooze", "routedText",
	"surveyText", "teamName", "targetWords", "tagChange", "userMessage", "existsMessage", "agentMessage", "formMessage", "listInUse",
	"teamInUse", "importMessage"}

// goAllowed is the short, explicit list of literals with letters that may reach a page from Go
// code: the brand (a timeline's actor when the system acted).
var goAllowed = []string{"Parley"}

// goWordsCheck is one package's Go files under the check.
type goWordsCheck struct {
	fset  *token.FileSet
	files map[string]*ast.File
	// params are the parameter names of the package's functions and methods, by name.
	params map[string][]string
	// locals are the parameter names of the functions the declaration being walked holds in a
	// variable or parameter (refuse := func(status int, msg string)), by the variable's name.
	locals map[string][]string
	// pages are the variables of the declaration being walked that hold a page (p := page{…}).
	pages map[string]bool
	keys  map[string]message
	found []string
}

func newGoWordsCheck(t *testing.T, keys map[string]message, sources map[string]string) *goWordsCheck {
	t.Helper()
	c := &goWordsCheck{fset: token.NewFileSet(), files: map[string]*ast.File{}, params: map[string][]string{}, keys: keys}
	for name, src := range sources {
		f, err := parser.ParseFile(c.fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		c.files[name] = f
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			c.params[fd.Name.Name] = paramNames(fd.Type)
		}
	}
	return c
}

// paramNames are a function type's parameter names ("" for an unnamed one).
func paramNames(ft *ast.FuncType) []string {
	var names []string
	for _, field := range ft.Params.List {
		if len(field.Names) == 0 {
			names = append(names, "")
		}
		for _, n := range field.Names {
			names = append(names, n.Name)
		}
	}
	return names
}

// localFuncs are the functions a declaration holds in its parameters and variables, by name.
func localFuncs(d ast.Decl) map[string][]string {
	out := map[string][]string{}
	fd, ok := d.(*ast.FuncDecl)
	if !ok {
		return out
	}
	for _, field := range fd.Type.Params.List {
		if ft, ok := field.Type.(*ast.FuncType); ok {
			for _, n := range field.Names {
				out[n.Name] = paramNames(ft)
			}
		}
	}
	ast.Inspect(fd, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for i, lhs := range as.Lhs {
				id, ok := lhs.(*ast.Ident)
				if !ok || i >= len(as.Rhs) {
					continue
				}
				if fl, ok := as.Rhs[i].(*ast.FuncLit); ok {
					out[id.Name] = paramNames(fl.Type)
				}
			}
		}
		return true
	})
	return out
}

// pageVars are the variables a declaration sets to a page.
func pageVars(d ast.Decl) map[string]bool {
	out := map[string]bool{}
	ast.Inspect(d, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for i, lhs := range as.Lhs {
			id, ok := lhs.(*ast.Ident)
			if !ok || i >= len(as.Rhs) {
				continue
			}
			if cl, ok := as.Rhs[i].(*ast.CompositeLit); ok {
				if t, ok := cl.Type.(*ast.Ident); ok && t.Name == "page" {
					out[id.Name] = true
				}
			}
		}
		return true
	})
	return out
}

// packageSources are the package's own Go files (tests excluded).
func packageSources(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out["web/"+n] = string(b)
	}
	if len(out) < 100 {
		t.Fatalf("only %d Go files found", len(out))
	}
	return out
}

// goVerb is a fmt verb, which is no word.
var goVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

func (c *goWordsCheck) report(n ast.Node, format string, args ...any) {
	c.found = append(c.found, fmt.Sprintf("%s: %s", c.fset.Position(n.Pos()), fmt.Sprintf(format, args...)))
}

// formatters are the calls whose arguments make up what they return: a literal passed to one in
// a shown expression is shown. Other calls' arguments (a query parameter's name, a map key) are
// not.
var formatters = []string{"Sprintf", "Sprint", "Sprintln", "Join", "or", "New", "Errorf"}

// shown reports every literal with words in e, an expression whose value a page shows. A t
// call's key is checked by file, which visits every t call, and its parameters' values are
// shown in turn.
func (c *goWordsCheck) shown(e ast.Node) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if isTCall(x) {
				for i := 2; i < len(x.Args); i += 2 {
					c.shown(x.Args[i])
				}
				return false
			}
			if !slices.Contains(formatters, callName(x)) {
				return false
			}
		case *ast.IndexExpr: // a table's key is no word, the table may hold words
			if id, ok := x.X.(*ast.Ident); ok && strings.Contains(strings.ToLower(id.Name), "notice") {
				c.report(x, "%s holds catalogue keys: show w.t(%s[…])", id.Name, id.Name)
			}
			c.shown(x.X)
			return false
		case *ast.FuncLit:
			return false
		case *ast.KeyValueExpr: // a table's key is no word, its value may be
			c.shown(x.Value)
			return false
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(x.Value)
			if err != nil {
				return true
			}
			_, key := c.keys[s]
			if w := strings.TrimSpace(goVerb.ReplaceAllString(s, "")); hasWords(w) && !key && !slices.Contains(goAllowed, w) {
				c.report(x, "%s is shown on a page", x.Value)
			}
		}
		return true
	})
}

// isTCall is a call of words' t: w.t(...), s.words(r).t(...), names.w.t(...).
func isTCall(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "t"
}

// tCall checks a t call: a literal key the catalogue holds, name, value pairs.
func (c *goWordsCheck) tCall(call *ast.CallExpr) {
	if len(call.Args) == 0 {
		c.report(call, "t without a key")
		return
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	key, err := strconv.Unquote(func() string {
		if ok {
			return lit.Value
		}
		return ""
	}())
	switch {
	case !ok || lit.Kind != token.STRING || err != nil:
		if !c.keyTable(call.Args[0]) {
			c.report(call, "t's key must be a literal string (or an element of a table of them)")
		}
	case c.keys[key].text == "" && c.keys[key].forms == nil:
		c.report(call, "key %q is not in web/i18n/en.json", key)
	}
	if len(call.Args)%2 != 1 {
		c.report(call, "t's parameters come in name, value pairs")
	}
}

// callName is the name of the function or method a call calls.
func callName(call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}

// keyTable reports whether e names a key through a table of literal keys (monthKeys[i], u.key).
func (c *goWordsCheck) keyTable(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.IndexExpr, *ast.SelectorExpr, *ast.Ident:
		_ = x
		return true
	}
	return false
}

// run walks every file.
func (c *goWordsCheck) run() []string {
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range c.files {
			if !yield(n) {
				return
			}
		}
	}) {
		c.file(c.files[name])
	}
	slices.Sort(c.found)
	return slices.Compact(c.found)
}

func (c *goWordsCheck) file(f *ast.File) {
	for _, d := range f.Decls {
		c.locals, c.pages = localFuncs(d), pageVars(d)
		c.decl(d)
	}
}

// goKeyNamespaces are the catalogue's namespaces that only Go code uses: a literal in one of them
// is a key, kept in a table (monthKeys, nameKeys, a notice table) or passed to t, and must exist.
var goKeyNamespaces = regexp.MustCompile(`^(?:title|notice|error|timeline|duration|ago|date|name|csv|signin)\.[a-z0-9_.]+$`)

func (c *goWordsCheck) decl(d ast.Decl) {
	ast.Inspect(d, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING && goKeyNamespaces.MatchString(s) {
				if _, ok := c.keys[s]; !ok {
					c.report(x, "key %q is not in web/i18n/en.json", s)
				}
			}
		case *ast.FuncDecl:
			if slices.Contains(shownFuncs, x.Name.Name) && x.Body != nil {
				ast.Inspect(x.Body, func(m ast.Node) bool {
					if ret, ok := m.(*ast.ReturnStmt); ok {
						for _, r := range ret.Results {
							c.shown(r)
						}
					}
					return true
				})
			}
		case *ast.CompositeLit:
			if id, ok := x.Type.(*ast.Ident); ok && id.Name == "page" {
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && slices.Contains(shownFields, k.Name) {
							c.shown(kv.Value)
						}
					}
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range x.Lhs {
				if i >= len(x.Rhs) {
					break
				}
				switch l := lhs.(type) {
				case *ast.Ident:
					if slices.Contains(shownNames, l.Name) {
						c.shown(x.Rhs[i])
					}
				case *ast.SelectorExpr: // p.Title = … of a page p
					if id, ok := l.X.(*ast.Ident); ok && c.pages[id.Name] && slices.Contains(shownFields, l.Sel.Name) {
						c.shown(x.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range x.Names {
				shownVar := slices.Contains(shownNames, id.Name) || strings.Contains(strings.ToLower(id.Name), "notice")
				if shownVar && i < len(x.Values) {
					c.shown(x.Values[i])
				}
			}
		case *ast.CallExpr:
			if isTCall(x) {
				c.tCall(x)
				for i := 2; i < len(x.Args); i += 2 {
					c.shown(x.Args[i])
				}
				return true
			}
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "header" { // a CSV header: keys
				for _, a := range x.Args {
					c.tCall(&ast.CallExpr{Fun: x.Fun, Args: []ast.Expr{a}, Lparen: a.Pos()})
				}
			}
			params := c.params[callName(x)]
			if id, ok := x.Fun.(*ast.Ident); ok && c.locals[id.Name] != nil {
				params = c.locals[id.Name]
			}
			for i, a := range x.Args {
				if i < len(params) && slices.Contains(shownNames, params[i]) {
					c.shown(a)
				}
			}
		}
		return true
	})
}

func TestGoCodeShowsNoWordsOutsideTheCatalogue(t *testing.T) {
	c := newGoWordsCheck(t, mustCatalogs().byLocale[fallbackLocale].msgs, packageSources(t))
	if found := c.run(); len(found) > 0 {
		t.Errorf("%d strings the Go code shows are not in the catalogue:\n%s\n\n%s", len(found), strings.Join(found, "\n"),
			`Move the words into web/i18n/en.json under a readable key and write s.words(r).t("page.what", "name", value) `+
				`(w.t in a helper given the request's words).`)
	}
}
