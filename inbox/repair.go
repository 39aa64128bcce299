package inbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on what a customer wrote. A message over them is stored cut to the limit, and the full
// text goes with it as an attachment: a customer's message is never refused for its length.
const (
	// MaxInboundText is the text of one customer message kept inline (64 KiB).
	MaxInboundText = 64 << 10
	// MaxNameChars is the longest contact name kept.
	MaxNameChars = 200
)

// Names of the attachments that keep what a limit cut from a customer's message.
const (
	FullTextFile    = "full-message.txt"
	FullHTMLFile    = "full-message.html"
	FullSubjectFile = "full-subject.txt"
)

// MetaRepaired is the metadata key listing what Ingest repaired in a customer's message, field
// by field ("text": "removed 2 NUL characters"), so an agent can see that it was changed.
const MetaRepaired = "repaired"

// repair makes a customer's message storable without refusing it: PostgreSQL refuses the NUL
// character in text and jsonb, and invalid UTF-8 anywhere, so both are removed (invalid bytes
// become U+FFFD); a subject, text or HTML over its limit is cut, its full version attached; a
// name over its limit is cut. What changed is listed in Metadata[MetaRepaired]. Identity
// addresses and the external id are cleaned too; their own checks then apply.
func (in *Inbound) repair() {
	notes := map[string]string{}
	clean := func(field string, s *string) {
		if out, what := cleanString(*s); what != "" {
			*s = out
			notes[field] = what
		}
	}
	clean("external_id", &in.ExternalID)
	clean("from", &in.From.Address)
	clean("name", &in.Name)
	clean("subject", &in.Subject)
	clean("text", &in.Text)
	clean("html", &in.HTML)
	clean("auto", &in.Auto)
	for i := range in.Also {
		clean("also", &in.Also[i].Address)
	}
	if h := in.Email; h != nil {
		clean("message_id", &h.MessageID)
		clean("in_reply_to", &h.InReplyTo)
		for i := range h.References {
			clean("references", &h.References[i])
		}
	}
	for i := range in.Attachments {
		a := &in.Attachments[i]
		clean("attachment_name", &a.Filename)
		clean("attachment_type", &a.ContentType)
		clean("attachment_cid", &a.ContentID)
	}
	for i := range in.Hints {
		clean("hint", &in.Hints[i].Reason)
	}
	if in.Metadata != nil {
		if cleaned, changed := cleanValue(in.Metadata); changed {
			in.Metadata = cleaned.(map[string]any)
			notes["metadata"] = "removed characters PostgreSQL cannot store"
		}
	}
	in.cutToLimits(notes)
	if len(notes) == 0 {
		return
	}
	meta := make(map[string]any, len(in.Metadata)+1)
	for k, v := range in.Metadata {
		meta[k] = v
	}
	meta[MetaRepaired] = notes
	in.Metadata = meta
}

// cutToLimits cuts the name, subject, text and HTML to their limits, attaching the full subject,
// text and HTML, and notes each cut.
func (in *Inbound) cutToLimits(notes map[string]string) {
	if utf8.RuneCountInString(strings.TrimSpace(in.Name)) > MaxNameChars {
		in.Name = CutRunes(strings.TrimSpace(in.Name), MaxNameChars)
		addNote(notes, "name", fmt.Sprintf("cut to %d characters", MaxNameChars))
	}
	if subject := strings.TrimSpace(in.Subject); utf8.RuneCountInString(subject) > MaxSubjectChars {
		in.attachFull(FullSubjectFile, "text/plain; charset=utf-8", subject)
		in.Subject = CutRunes(subject, MaxSubjectChars)
		addNote(notes, "subject", fmt.Sprintf("cut to %d characters; the full subject is attached as %s", MaxSubjectChars, FullSubjectFile))
	}
	if len(in.Text) > MaxInboundText {
		in.attachFull(FullTextFile, "text/plain; charset=utf-8", in.Text)
		in.Text = CutBytes(in.Text, MaxInboundText)
		addNote(notes, "text", fmt.Sprintf("cut to %d bytes; the full text is attached as %s", MaxInboundText, FullTextFile))
	}
	if len(in.HTML) > MaxTextBytes {
		in.attachFull(FullHTMLFile, "text/html; charset=utf-8", in.HTML)
		in.HTML = ""
		addNote(notes, "html", fmt.Sprintf("over %d bytes: shown as text; the HTML is attached as %s", MaxTextBytes, FullHTMLFile))
	}
}

// attachFull attaches content under name, unless the message already carries a file of that
// name (a redelivery repaired before).
func (in *Inbound) attachFull(name, contentType, content string) {
	for _, a := range in.Attachments {
		if a.Filename == name {
			return
		}
	}
	in.Attachments = append(in.Attachments, NewAttachment{Filename: name, ContentType: contentType,
		Size: len(content), Content: []byte(content)})
}

// addNote records what was done to field, after anything recorded before.
func addNote(notes map[string]string, field, what string) {
	if prev := notes[field]; prev != "" {
		what = prev + "; " + what
	}
	notes[field] = what
}

// cleanString removes NUL characters and replaces invalid UTF-8 with U+FFFD. It returns the
// cleaned string and what it did ("" when s was fine).
func cleanString(s string) (string, string) {
	var what []string
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		what = append(what, "replaced invalid UTF-8")
	}
	if n := strings.Count(s, "\x00"); n > 0 {
		s = strings.ReplaceAll(s, "\x00", "")
		what = append(what, fmt.Sprintf("removed %d NUL character(s)", n))
	}
	return s, strings.Join(what, ", ")
}

// cleanValue cleans every string (keys included) in a JSON-like value, returning a copy when
// anything changed.
func cleanValue(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		out, what := cleanString(x)
		return out, what != ""
	case map[string]any:
		changed := false
		out := make(map[string]any, len(x))
		for k, val := range x {
			ck, what := cleanString(k)
			cv, c := cleanValue(val)
			changed = changed || c || what != ""
			out[ck] = cv
		}
		if !changed {
			return x, false
		}
		return out, true
	case []any:
		changed := false
		out := make([]any, len(x))
		for i, val := range x {
			cv, c := cleanValue(val)
			changed = changed || c
			out[i] = cv
		}
		if !changed {
			return x, false
		}
		return out, true
	case []string:
		changed := false
		out := make([]string, len(x))
		for i, val := range x {
			cv, what := cleanString(val)
			changed = changed || what != ""
			out[i] = cv
		}
		if !changed {
			return x, false
		}
		return out, true
	case nil, bool, int, int64, float64, json.Number:
		return v, false
	default:
		// Any other value (a channel's []map[string]string of media, a struct) is stored as its
		// JSON: clean that form when it holds what jsonb refuses.
		raw, err := json.Marshal(v)
		if err != nil || !bytes.Contains(raw, []byte(`\u0000`)) {
			return v, false
		}
		var generic any
		if json.Unmarshal(raw, &generic) != nil {
			return v, false
		}
		out, changed := cleanValue(generic)
		if !changed {
			return v, false
		}
		return out, true
	}
}

// Storable returns s as PostgreSQL can store it as text: NUL characters removed, invalid UTF-8
// replaced with U+FFFD. Ingest repairs a message itself; a channel uses this for what it keeps in
// its own tables (an email's full text, a failure's reason).
func Storable(s string) string {
	out, _ := cleanString(s)
	return out
}

// CutRunes cuts s to at most n runes.
func CutRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// CutBytes cuts s to at most n bytes without splitting a character.
func CutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CleanAgentText checks text an agent or an API caller typed: a NUL character or invalid UTF-8
// is an error naming field, which the caller can fix and retry.
func CleanAgentText(field, s string) error {
	if !utf8.ValidString(s) {
		return invalid(field, "is not valid UTF-8")
	}
	if strings.ContainsRune(s, 0) {
		return invalid(field, "contains a NUL character (\\u0000), which cannot be stored")
	}
	return nil
}
