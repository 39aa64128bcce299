package email

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders HTML as readable plain text: block elements start new
// lines, paragraphs and headings are set off by blank lines, list items get
// "- " or "N. ", links read "text (url)", blockquotes are prefixed with
// "> ", and scripts, styles and images are left out.
func HTMLToText(s string) string {
	t := &textWriter{lineStart: true}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// The tree parser refuses HTML nested deeper than 512
		// elements; read such mail token by token instead.
		t.tokens(s)
	} else {
		t.node(doc)
	}
	return tidyText(t.b.String())
}

// tokens is the fallback for HTML that cannot be parsed into a tree: the
// text outside scripts and styles, with a line break at each block tag.
func (t *textWriter) tokens(s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.TextToken:
			if skip == 0 {
				t.text(html.UnescapeString(string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template:
				switch tt {
				case html.StartTagToken:
					skip++
				case html.EndTagToken:
					skip = max(skip-1, 0)
				}
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.Table, atom.Blockquote,
				atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Hr:
				t.breakLine(1)
			}
		}
	}
}

// textWriter accumulates text with lazily written line breaks, so that
// nested blocks do not stack up empty lines.
type textWriter struct {
	b         strings.Builder
	newlines  int  // line breaks owed before the next text
	owedQuote int  // the smallest quote depth while newlines were owed
	space     bool // a space is owed before the next text
	lineStart bool
	pre       int      // depth of <pre>
	quote     int      // depth of <blockquote>
	lists     []*listN // open lists
}

// listN numbers the items of an open list; n < 0 marks a bulleted one.
type listN struct{ n int }

func (t *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		t.children(n)
		return
	default:
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template,
		atom.Noscript, atom.Iframe, atom.Object, atom.Svg, atom.Img:
		return
	case atom.Br:
		t.breakLine(1)
		t.flush()
	case atom.A:
		t.link(n)
	case atom.Pre:
		t.block(1, func() { t.pre++; t.children(n); t.pre-- })
	case atom.Blockquote:
		t.block(1, func() { t.quote++; t.children(n); t.quote-- })
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table:
		t.block(2, func() { t.children(n) })
	case atom.Ul, atom.Ol:
		l := &listN{n: -1}
		if n.DataAtom == atom.Ol {
			l.n = 0
		}
		t.lists = append(t.lists, l)
		t.block(1, func() { t.children(n) })
		t.lists = t.lists[:len(t.lists)-1]
	case atom.Li:
		t.item(n)
	case atom.Td, atom.Th:
		t.space = true
		t.children(n)
		t.space = true
	case atom.Div, atom.Tr, atom.Hr, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Center, atom.Address, atom.Figure, atom.Main, atom.Nav,
		atom.Aside, atom.Dl, atom.Dt, atom.Dd, atom.Caption, atom.Form, atom.Fieldset:
		t.block(1, func() { t.children(n) })
	default:
		t.children(n)
	}
}

func (t *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c)
	}
}

// block renders body set off by breaks line breaks on each side.
func (t *textWriter) block(breaks int, body func()) {
	t.breakLine(breaks)
	body()
	t.breakLine(breaks)
}

// item renders a list item with its bullet or number.
func (t *textWriter) item(n *html.Node) {
	t.breakLine(1)
	marker := "- "
	indent := 0
	if len(t.lists) > 0 {
		l := t.lists[len(t.lists)-1]
		indent = len(t.lists) - 1
		if l.n >= 0 {
			l.n++
			marker = strconv.Itoa(l.n) + ". "
		}
	}
	t.flush()
	t.b.WriteString(strings.Repeat("  ", indent) + marker)
	t.lineStart = false
	t.space = false
	t.children(n)
	t.breakLine(1)
}

// link renders an anchor as "text (url)", or just the URL or text when
// they say the same.
func (t *textWriter) link(n *html.Node) {
	start := t.b.Len()
	t.children(n)
	label := strings.TrimSpace(t.b.String()[start:])
	href := strings.TrimSpace(attr(n, "href"))
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") &&
		!strings.HasPrefix(lower, "mailto:") {
		return
	}
	shown := href
	if strings.HasPrefix(lower, "mailto:") {
		shown = href[len("mailto:"):]
	}
	switch {
	case label == "":
		t.text(shown)
	case label != shown && label != href:
		t.text(" (" + shown + ")")
	}
}

// breakLine owes n line breaks (1: new line, 2: blank line) before the next
// text.
func (t *textWriter) breakLine(n int) {
	if t.b.Len() == 0 {
		return
	}
	if t.newlines == 0 || t.quote < t.owedQuote {
		t.owedQuote = t.quote
	}
	if n > t.newlines {
		t.newlines = n
	}
	t.space = false
}

// flush writes the line breaks owed and the quote prefix of a new line.
func (t *textWriter) flush() {
	prefix := strings.Repeat(">", t.quote)
	for i := 0; i < t.newlines; i++ {
		if i > 0 {
			t.b.WriteString(prefix[:min(t.owedQuote, t.quote)])
		}
		t.b.WriteByte('\n')
		t.lineStart = true
	}
	t.newlines = 0
	if t.lineStart && t.quote > 0 {
		t.b.WriteString(prefix + " ")
		t.lineStart = false
		t.space = false
	}
}

// text writes s, collapsing white space outside <pre>.
func (t *textWriter) text(s string) {
	if t.pre > 0 {
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				t.b.WriteByte('\n')
				t.lineStart = true
			}
			t.flush()
			if line != "" {
				t.b.WriteString(line)
				t.lineStart = false
			}
		}
		return
	}
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' {
			t.space = true
			continue
		}
		if t.newlines > 0 || t.lineStart {
			t.flush()
			t.space = false
		}
		if t.space {
			t.b.WriteByte(' ')
		}
		t.space = false
		t.lineStart = false
		t.b.WriteRune(r)
	}
}

// tidyText trims each line's trailing spaces and allows at most one blank
// line in a row.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimLeft(l, "> ") == "" {
			if blank++; blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
