package email

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
)

// maxReferences bounds Parsed.References: the thread root plus the most
// recent ids.
const maxReferences = 50

// maxDeliveredTo bounds Parsed.DeliveredTo; real mail has one or two.
const maxDeliveredTo = 20

// readHeaders fills the header-derived fields of out from h.
func readHeaders(out *Parsed, h textproto.Header) {
	out.MessageID = firstOf(parseMsgIDs(h.Get("Message-Id")))
	out.InReplyTo = firstOf(parseMsgIDs(h.Get("In-Reply-To")))
	out.References = capReferences(parseMsgIDs(h.Get("References")))
	out.ThreadTopic = decodeText(h.Get("Thread-Topic"))
	out.ThreadIndexRoot = threadIndexRoot(h.Get("Thread-Index"))

	out.From = firstAddress(h, "From", "Sender", "Reply-To", "Return-Path")
	out.ReplyTo = parseAddresses(h.Get("Reply-To"))
	out.To = parseAddresses(strings.Join(h.Values("To"), ", "))
	out.Cc = parseAddresses(strings.Join(h.Values("Cc"), ", "))
	for _, key := range []string{"Delivered-To", "X-Original-To"} {
		for _, v := range h.Values(key) {
			if len(out.DeliveredTo) >= maxDeliveredTo {
				break
			}
			for _, a := range parseAddresses(v) {
				out.DeliveredTo = appendUnique(out.DeliveredTo, a.Address)
			}
		}
	}

	out.Subject = decodeText(h.Get("Subject"))
	out.Date = parseDate(h.Get("Date"))
}

// wordDecoder decodes RFC 2047 encoded words. A word in an unknown charset
// is passed through as raw bytes, later repaired by validUTF8.
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
		if d, err := charset.Reader(cs, r); err == nil {
			return d, nil
		}
		return r, nil
	}}
}

// decodeText decodes an unstructured header value to clean one-line UTF-8.
func decodeText(v string) string {
	if d, err := wordDecoder().DecodeHeader(v); err == nil {
		v = d
	}
	return cleanLine(validUTF8(v))
}

// cleanLine collapses runs of white space and drops control characters.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// parseMsgIDs reads a list of message ids leniently: every <...> group, or
// bare tokens when there are no angle brackets. Ids come back without
// brackets or white space, deduplicated, in order.
func parseMsgIDs(v string) []string {
	var ids uniqueList
	add := ids.add
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			add(normalizeMsgID(rest[i+1:]))
			break
		}
		add(normalizeMsgID(rest[i+1 : i+j]))
		rest = rest[i+j+1:]
	}
	if len(ids.list) > 0 || strings.ContainsAny(v, "<>") {
		return ids.list
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n' }) {
		if strings.Contains(f, "@") {
			add(normalizeMsgID(f))
		}
	}
	return ids.list
}

// NormalizeMessageID returns id the way Parsed stores message ids: without
// angle brackets and white space. Use it on ids Parley generates so that
// they compare equal to parsed ones.
func NormalizeMessageID(id string) string {
	return normalizeMsgID(id)
}

func normalizeMsgID(id string) string {
	id = strings.Map(func(r rune) rune {
		if r <= ' ' || r == '<' || r == '>' || r == 0x7f {
			return -1
		}
		return r
	}, id)
	return validUTF8(id)
}

// capReferences keeps the first id and the most recent ones.
func capReferences(ids []string) []string {
	if len(ids) <= maxReferences {
		return ids
	}
	out := append([]string{ids[0]}, ids[len(ids)-maxReferences+1:]...)
	return out
}

// threadIndexRoot returns the hex conversation root of an Outlook
// Thread-Index (its first 22 bytes), or "" when it is not one.
func threadIndexRoot(v string) string {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
	if err != nil || len(b) < 22 {
		return ""
	}
	return hex.EncodeToString(b[:22])
}

// firstAddress returns the first readable address among the keys, in order.
func firstAddress(h textproto.Header, keys ...string) Address {
	for _, k := range keys {
		if as := parseAddresses(h.Get(k)); len(as) > 0 {
			return as[0]
		}
	}
	return Address{}
}

// parseAddresses parses an address list, falling back to picking out
// anything shaped like an address when the list is not RFC 5322.
func parseAddresses(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: wordDecoder()}
	list, err := p.ParseList(v)
	if err != nil {
		return lenientAddresses(v)
	}
	var out []Address
	for _, a := range list {
		if addr := cleanAddress(a.Address); addr != "" {
			out = append(out, Address{Name: cleanName(a.Name), Address: addr})
		}
	}
	return out
}

// lenientAddresses extracts every token containing '@' from v; the name of
// a single address is the text before its '<'.
func lenientAddresses(v string) []Address {
	var out []Address
	fields := strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune(" \t\r\n<>(),;\"'[]", r)
	})
	for _, f := range fields {
		at := strings.IndexByte(f, '@')
		if at <= 0 || at == len(f)-1 {
			continue
		}
		if addr := cleanAddress(f); addr != "" {
			out = append(out, Address{Address: addr})
		}
	}
	if len(out) == 1 {
		if i := strings.IndexByte(v, '<'); i > 0 {
			name, _ := wordDecoder().DecodeHeader(v[:i])
			out[0].Name = cleanName(name)
		}
	}
	return out
}

func cleanAddress(a string) string {
	a = strings.ToLower(strings.TrimSpace(validUTF8(a)))
	a = strings.TrimPrefix(a, "mailto:")
	if !strings.Contains(a, "@") || strings.ContainsAny(a, " \t\r\n<>") {
		return ""
	}
	return a
}

func cleanName(n string) string {
	return cleanLine(strings.Trim(validUTF8(n), "\"' "))
}

// parseDate reads a Date header, returning the zero time when it cannot.
// Layouts seen in the wild are tried when net/mail gives up.
func parseDate(v string) time.Time {
	v = cleanLine(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	layouts := []string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 MST 2006",
		"Mon, 2 Jan 2006 15:04:05",
		time.RFC3339,
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func appendUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// uniqueList collects strings in order, skipping empty ones and repeats.
type uniqueList struct {
	list []string
	seen map[string]bool
}

func (u *uniqueList) add(s string) {
	if s == "" || u.seen[s] {
		return
	}
	if u.seen == nil {
		u.seen = make(map[string]bool)
	}
	u.seen[s] = true
	u.list = append(u.list, s)
}
