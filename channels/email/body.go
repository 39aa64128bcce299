package email

import (
	"strings"
	"unicode/utf8"
)

// finishBody turns the bodies the walker gathered into Text, HTML, Reply
// and ReplyHTML. The reply comes from the sender's own text/plain part when
// quote stripping finds something there, since it keeps the author's
// layout; otherwise from the HTML, whose quote markers are the more
// reliable; otherwise it is the whole text.
func (p *Parser) finishBody(w *walker) {
	out := w.out
	text := p.capBody(out, joinNonEmpty(w.texts, "\n\n"))
	rawHTML := p.capBody(out, joinNonEmpty(w.htmls, "\n"))

	var htmlReply string
	if strings.TrimSpace(rawHTML) != "" {
		out.HTML = strings.TrimSpace(p.SanitizeHTML(rawHTML))
		if stripped, ok := StripQuotesHTML(rawHTML); ok {
			out.ReplyHTML = strings.TrimSpace(p.SanitizeHTML(stripped))
			htmlReply = HTMLToText(out.ReplyHTML)
		}
	}
	ownText := strings.TrimSpace(text) != ""
	if !ownText && out.HTML != "" {
		text = HTMLToText(out.HTML)
	}
	out.Text = strings.TrimSpace(text)
	out.Reply = StripQuotes(out.Text)
	if (!ownText || out.Reply == out.Text) && strings.TrimSpace(htmlReply) != "" {
		out.Reply = StripQuotes(htmlReply)
	}
}

// capBody cuts s to MaxBodyBytes on a character boundary.
func (p *Parser) capBody(out *Parsed, s string) string {
	limit := p.opts.MaxBodyBytes
	if len(s) <= limit {
		return s
	}
	out.BodyTruncated = true
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit]
}

func joinNonEmpty(parts []string, sep string) string {
	var keep []string
	for _, s := range parts {
		if strings.TrimSpace(s) != "" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, sep)
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a
// line ending in a space continues on the next line of the same quote
// depth. The "-- " signature separator is never joined.
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	open := false // the previous line was flowed
	prevDepth := 0
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(line[depth:], " ")
		if open && depth != prevDepth {
			b.WriteByte('\n')
			open = false
		}
		if !open {
			if depth > 0 {
				b.WriteString(strings.Repeat(">", depth) + " ")
			}
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if !flowed {
			b.WriteByte('\n')
		}
		open, prevDepth = flowed, depth
	}
	return strings.TrimSuffix(b.String(), "\n")
}
