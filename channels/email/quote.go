package email

import (
	"regexp"
	"strings"
)

// Patterns of quoted history in plain-text replies. They are compiled once
// and never modified.
var (
	// attributionEnd matches the end of "On <date>, <name> wrote:" in the
	// languages Parley's customers write most; German, Dutch and the
	// Scandinavian languages put the name after the verb ("Am <date>
	// schrieb <name>:").
	attributionEnd = regexp.MustCompile(`(?i)(\b(wrote|a\s+écrit|escribió|ha\s+scritto|scrisse|escreveu|napisał|napisała|kirjoitti)\s*|\b(schrieb|schreef|skrev)\b[^:]{0,200}):$`)
	// attributionStart matches the opening word of an attribution line:
	// On, Am, Le, El, Il, Em, Op, Den, W dniu, Dnia.
	attributionStart = regexp.MustCompile(`(?i)^(on|am|le|el|il|em|op|den|w dniu|dnia)\s`)
	// originalMessage matches Outlook's "-----Original Message-----" line
	// and its translations.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|mensagem original)\s*-{2,}$`)
)

// maxAttributionBytes bounds the lines tested as an attribution.
const maxAttributionBytes = 400

// StripQuotes returns the new part of a plain-text reply: lines quoted with
// '>' are dropped together with their "On ... wrote:" attribution (in
// English, German, French and several other languages), and everything
// from Outlook's "-----Original Message-----", its "From:/Sent:/To:"
// header block or a "____" separator followed by "From:" onwards is cut.
// A "-- " signature is kept. When nothing but quotes remains the whole
// text is returned. The result is never longer than text.
func StripQuotes(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if isQuoted(line) {
			continue
		}
		if n, strong := attribution(lines, i); n > 0 {
			next := nextContent(lines, i+n)
			if next == len(lines) || isQuoted(lines[next]) {
				i += n - 1
				continue
			}
			if strong {
				break
			}
		}
		if originalMarker(lines, i) {
			break
		}
		out = append(out, line)
	}
	reply := strings.TrimSpace(strings.Join(collapseBlank(out), "\n"))
	if reply == "" {
		return text
	}
	return reply
}

// isQuoted reports whether line is a '>' quoted line.
func isQuoted(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), ">")
}

// attribution reports how many lines starting at i form a reply
// attribution, and whether it is a strong one (it opens with a known word
// such as "On"; a strong attribution may wrap over up to three lines).
func attribution(lines []string, i int) (n int, strong bool) {
	joined := ""
	for n = 1; n <= 3 && i+n <= len(lines); n++ {
		joined = strings.TrimSpace(joined + " " + strings.TrimSpace(lines[i+n-1]))
		if len(joined) > maxAttributionBytes || joined == "" {
			return 0, false
		}
		strong = attributionStart.MatchString(joined)
		if !strings.HasSuffix(joined, ":") {
			if !strong {
				return 0, false
			}
			continue
		}
		if attributionEnd.MatchString(joined) {
			return n, strong
		}
		return 0, false
	}
	return 0, false
}

// isAttribution reports whether s alone reads like a reply attribution.
func isAttribution(s string) bool {
	s = strings.Join(strings.Fields(s), " ")
	return len(s) <= maxAttributionBytes && attributionEnd.MatchString(s)
}

// originalMarker reports whether line i starts Outlook-style unquoted
// history.
func originalMarker(lines []string, i int) bool {
	t := strings.TrimSpace(lines[i])
	switch {
	case originalMessage.MatchString(t):
		return true
	case len(t) >= 10 && strings.Trim(t, "_") == "":
		j := nextContent(lines, i+1)
		return j < len(lines) && headerLabel(lines[j]) == labelFrom
	case headerLabel(t) == labelFrom:
		var sent, to bool
		for j := i + 1; j < len(lines) && j <= i+6; j++ {
			switch headerLabel(lines[j]) {
			case labelSent:
				sent = true
			case labelTo:
				to = true
			}
		}
		return sent && to
	}
	return false
}

// nextContent returns the index of the first non-blank line from i on.
func nextContent(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

// collapseBlank drops the second and later of consecutive blank lines.
func collapseBlank(lines []string) []string {
	out := lines[:0]
	blank := false
	for _, l := range lines {
		b := strings.TrimSpace(l) == ""
		if b && blank {
			continue
		}
		blank = b
		out = append(out, l)
	}
	return out
}

// Kinds of header labels in quoted Outlook history.
const (
	labelNone = iota
	labelFrom
	labelSent
	labelTo
)

// headerLabel classifies a "Label: value" line of a quoted header block,
// in the languages Outlook writes, with or without *bold* markers.
func headerLabel(line string) int {
	t := strings.TrimLeft(line, " \t*")
	colon := strings.IndexByte(t, ':')
	if colon <= 0 || colon > 20 {
		return labelNone
	}
	switch strings.ToLower(strings.Trim(t[:colon], " *")) {
	case "from", "von", "de", "van", "da", "från", "fra", "od", "from (sender)":
		return labelFrom
	case "sent", "date", "gesendet", "datum", "envoyé", "enviado", "inviato",
		"verzonden", "skickat", "sendt", "data", "fecha", "date d'envoi":
		return labelSent
	case "to", "an", "à", "para", "a", "aan", "till", "til", "do", "subject",
		"betreff", "objet", "asunto", "oggetto", "onderwerp", "ämne", "emne", "assunto":
		return labelTo
	}
	return labelNone
}
