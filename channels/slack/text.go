package slack

import (
	"strings"
)

// noText stands in for a message without text (a file shared alone), which the inbox would
// otherwise refuse as empty.
const noText = "[a message without text: see it in Slack]"

// PlainText turns Slack's message markup into the plain text an agent reads: links become
// "label (url)" or the bare url, mentions "@name" or "@U123", channels "#name", special
// mentions "@here", and the escapes &amp; &lt; &gt; their characters. Emphasis marks (*bold*)
// are kept as written. Anything else between < and > is kept as it stands.
func PlainText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(unescape(s[:open]))
		b.WriteString(entity(s[open+1 : open+end]))
		s = s[open+end+1:]
	}
	b.WriteString(unescape(s))
	return b.String()
}

// entity renders the inside of one <...> of Slack's markup.
func entity(inner string) string {
	target, label, labelled := strings.Cut(inner, "|")
	label = unescape(label)
	switch {
	case strings.HasPrefix(target, "@"):
		if labelled && label != "" {
			return "@" + strings.TrimPrefix(label, "@")
		}
		return target
	case strings.HasPrefix(target, "#"):
		if labelled && label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		if labelled && label != "" {
			return label // <!subteam^S1|@support>, <!date^...|fallback>
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name // <!here>, <!channel>, <!everyone>
	}
	target = unescape(target)
	if mail, ok := strings.CutPrefix(target, "mailto:"); ok && (!labelled || label == mail) {
		return mail
	}
	if !labelled || label == "" || label == target {
		return target
	}
	return label + " (" + target + ")"
}

// unescape undoes Slack's three escapes.
func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// messageText is the text stored for a Slack message.
func messageText(raw string) string {
	text := PlainText(raw)
	if strings.TrimSpace(text) == "" {
		return noText
	}
	return text
}
