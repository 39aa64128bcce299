package inbox

import (
	"strconv"
	"strings"
	"unicode"
)

// searchCap bounds each source of search hits to its newest searchCap matches. A word found in
// more places than that is too common to page through anyway; the bound also tells the planner
// the set is small, so it joins it to conversations by primary key instead of scanning them.
// Each source orders by "id + 0" so that the planner finds matches through the GIN index and
// sorts them, rather than walking the primary key backwards hoping to meet matches soon.
const searchCap = 1000

// searchHits is the set of conversation ids matching a search: messages by text, and the
// conversations of contacts matching by name or by an address prefix.
func searchHits(tsq, prefix string, arg func(any) string) string {
	limit := " LIMIT " + strconv.Itoa(searchCap) + ")"
	var parts []string
	if tsq != "" {
		q := "to_tsquery('simple', " + arg(tsq) + ")"
		parts = append(parts,
			"(SELECT m.conversation_id AS id FROM messages m WHERE m.search @@ "+q+" ORDER BY m.id + 0 DESC"+limit,
			"(SELECT c2.id FROM contacts k2 JOIN conversations c2 ON c2.contact_id = k2.id WHERE k2.name_tsv @@ "+q+
				" ORDER BY c2.id + 0 DESC"+limit)
	}
	if prefix != "" {
		parts = append(parts, "(SELECT c3.id FROM contact_identities i JOIN conversations c3 ON c3.contact_id = i.contact_id"+
			" WHERE i.address LIKE "+arg(prefix)+" ORDER BY c3.id + 0 DESC"+limit)
	}
	return strings.Join(parts, " UNION ")
}

// searchTerms turns what an agent typed into a tsquery of word prefixes ("refund ord" ->
// "'refund':* & 'ord':*"), built only of letters and digits so that no input is a syntax error,
// and, when the text looks like an address (an email or a phone), a LIKE prefix for it.
func searchTerms(text, region string) (tsq, likePrefix string) {
	if len(text) > 200 {
		text = text[:200]
	}
	var terms []string
	for _, w := range searchWords(text) {
		terms = append(terms, "'"+w+"':*")
	}
	tsq = strings.Join(terms, " & ")
	t := strings.ToLower(strings.TrimSpace(text))
	switch {
	case strings.Contains(t, "@") && !strings.ContainsAny(t, " %_\\"):
		likePrefix = t + "%"
	case strings.HasPrefix(t, "+") || (len(t) >= 6 && strings.Trim(t, "0123456789 -().") == ""):
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, t)
		if e164, err := NormalizePhone(t, region); err == nil {
			likePrefix = e164 + "%"
		} else if len(digits) >= 4 {
			likePrefix = "+" + digits + "%"
		}
	}
	return tsq, likePrefix
}

// searchWords are the words of a search, lower-cased, split at every character that is neither
// a letter nor a digit, at most 8 (of the first 200 bytes): each is searched as a word prefix.
func searchWords(text string) []string {
	if len(text) > 200 {
		text = text[:200]
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return words[:min(len(words), 8)]
}
