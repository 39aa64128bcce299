package email

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// StripQuotesHTML removes the quoted history from an HTML reply: Gmail's
// div.gmail_quote (and .gmail_quote_container), Apple Mail's and
// Thunderbird's blockquote type="cite" with the attribution before it,
// Yahoo's .yahoo_quoted, and everything from Outlook's #appendonsend,
// #divRplyFwdMsg or border-top "From:" separator onwards. It returns the
// remaining body HTML (not yet sanitized) and true, or s and false when it
// found no quote or nothing but the quote.
func StripQuotesHTML(s string) (string, bool) {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s, false
	}
	body := findElement(doc, atom.Body)
	if body == nil {
		return s, false
	}
	var drops []*html.Node
	var cut *html.Node
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil && cut == nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch quoteKind(c) {
			case quoteDrop:
				drops = append(drops, c)
				if a := attributionBefore(c); a != nil {
					drops = append(drops, a)
				}
			case quoteCut:
				cut = c
			default:
				visit(c)
			}
		}
	}
	visit(body)
	if len(drops) == 0 && cut == nil {
		return s, false
	}
	for _, n := range drops {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	if cut != nil {
		cutFrom(cut, body)
	}
	if strings.TrimSpace(HTMLToText(renderChildren(body))) == "" && findElement(body, atom.Img) == nil {
		return s, false
	}
	return renderChildren(body), true
}

// What quoteKind says about an element.
const (
	quoteNone = iota
	quoteDrop // the element is the quote: remove it
	quoteCut  // the quote starts here: remove it and everything after
)

// quoteKind recognizes the quote markers of common mail clients.
func quoteKind(n *html.Node) int {
	id := attr(n, "id")
	switch {
	case strings.HasSuffix(id, "divRplyFwdMsg"), strings.HasSuffix(id, "appendonsend"),
		id == "stopSpelling", id == "mail-editor-reference-message-container":
		return quoteCut
	case n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite"):
		return quoteDrop
	}
	for _, c := range strings.Fields(attr(n, "class")) {
		switch c {
		case "gmail_quote", "gmail_quote_container":
			if strings.HasPrefix(strings.TrimLeft(textPrefix(n, 80), " -"), "Forwarded message") {
				return quoteNone
			}
			return quoteDrop
		case "yahoo_quoted", "moz-cite-prefix":
			return quoteDrop
		}
	}
	style := strings.ToLower(attr(n, "style"))
	if strings.Contains(style, "border-top") && strings.Contains(style, "solid") &&
		headerLabel(textPrefix(n, 80)) == labelFrom {
		return quoteCut
	}
	return quoteNone
}

// attributionBefore returns the element or text just before n (skipping
// white space and <br>) when it reads like "On ... wrote:".
func attributionBefore(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.TextNode && strings.TrimSpace(p.Data) == "" ||
			p.Type == html.ElementNode && p.DataAtom == atom.Br {
			continue
		}
		if isAttribution(textPrefix(p, maxAttributionBytes+1)) {
			return p
		}
		return nil
	}
	return nil
}

// cutFrom removes n, its following siblings, and the following siblings of
// each of its ancestors up to (not including) stop.
func cutFrom(n, stop *html.Node) {
	removeFollowing(n)
	parent := n.Parent
	parent.RemoveChild(n)
	for p := parent; p != nil && p != stop; p = p.Parent {
		removeFollowing(p)
	}
}

// removeFollowing removes the siblings after n.
func removeFollowing(n *html.Node) {
	for s := n.NextSibling; s != nil; {
		next := s.NextSibling
		n.Parent.RemoveChild(s)
		s = next
	}
}

// maxPrefixNodes bounds the nodes textPrefix visits, so that testing many
// nested candidates stays linear in practice.
const maxPrefixNodes = 256

// textPrefix returns about the first max bytes of n's text content.
func textPrefix(n *html.Node, max int) string {
	var b strings.Builder
	budget := maxPrefixNodes
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if b.Len() >= max || budget <= 0 {
			return
		}
		budget--
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return strings.TrimSpace(b.String())
}

// findElement returns the first element of kind a under n, in document
// order.
func findElement(n *html.Node, a atom.Atom) *html.Node {
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.DataAtom == a {
			return d
		}
	}
	return nil
}

// renderChildren serializes the children of n.
func renderChildren(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return b.String()
		}
	}
	return b.String()
}
