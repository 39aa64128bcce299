package email

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// newPolicy builds the HTML policy for customer mail: the formatting,
// lists, tables, links and images of ordinary mail, and nothing that runs
// or restyles the page. Scripts, styles, event handlers, forms, frames and
// embedded objects are removed; links get rel="nofollow noreferrer
// noopener" and open in a new tab; images load only from cid: (inline
// parts) or https URLs. Class, id and style attributes are dropped so that
// mail cannot address or restyle the agent's page.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()

	p.AllowElements("article", "aside", "section", "figure", "figcaption",
		"details", "summary", "center",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"br", "div", "hr", "p", "span", "wbr",
		"abbr", "cite", "code", "dfn", "em", "mark", "q", "s", "samp",
		"strong", "sub", "sup", "var", "kbd",
		"b", "i", "pre", "small", "strike", "tt", "u", "del", "ins", "font")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("cite").OnElements("blockquote")
	p.AllowElements("blockquote")

	p.AllowLists()
	p.AllowTables()
	p.AllowAttrs("border", "cellpadding", "cellspacing").Matching(bluemonday.Integer).OnElements("table")

	p.AllowURLSchemes("http", "https", "mailto", "tel", "cid")
	p.RequireParseableURLs(true)
	p.AllowAttrs("href").OnElements("a")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	p.AllowAttrs("src").Matching(regexp.MustCompile(`(?i)^(https://|cid:)`)).OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img")
	p.AllowAttrs("align").Matching(bluemonday.ImageAlign).OnElements("img")
	return p
}

// SanitizeHTML returns s with everything outside the mail policy removed
// (see the package documentation): safe to show an agent as is.
func (p *Parser) SanitizeHTML(s string) string {
	return p.policy.Sanitize(s)
}
