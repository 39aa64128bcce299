package email

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// RewriteCIDs replaces the "cid:" src of every <img> in s with urlFor(cid),
// where cid is the referenced Content-ID (percent-decoded, as RFC 2392
// writes it), so that the web layer can serve inline images from its own
// attachment URLs. An image for which urlFor returns "" loses its src. The
// rest of s passes through unchanged; it is meant for Parsed.HTML, which
// is already sanitized.
func RewriteCIDs(s string, urlFor func(cid string) string) string {
	if !strings.Contains(strings.ToLower(s), "cid:") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			b.Write(z.Raw())
			continue
		}
		raw := append([]byte(nil), z.Raw()...)
		tok := z.Token()
		if tok.Data != "img" || !rewriteSrc(&tok, urlFor) {
			b.Write(raw)
			continue
		}
		b.WriteString(tok.String())
	}
}

// rewriteSrc rewrites a cid: src attribute of tok and reports whether it
// did.
func rewriteSrc(tok *html.Token, urlFor func(string) string) bool {
	for i, a := range tok.Attr {
		if a.Key != "src" || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "cid:") {
			continue
		}
		cid := strings.TrimSpace(a.Val)[len("cid:"):]
		if u, err := url.PathUnescape(cid); err == nil {
			cid = u
		}
		if target := urlFor(normalizeMsgID(cid)); target != "" {
			tok.Attr[i].Val = target
		} else {
			tok.Attr = append(tok.Attr[:i], tok.Attr[i+1:]...)
		}
		return true
	}
	return false
}
