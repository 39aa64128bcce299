package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// parseParams parses a Content-Type or Content-Disposition value into its
// lower-cased value and its parameters. It is lenient: when the standard
// parser refuses the header, the value before the first ';' and every
// name=value pair that can be picked out are returned. Encoded words in
// file names are decoded.
func parseParams(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}
	}
	value, params, err := mime.ParseMediaType(v)
	if err != nil {
		value, params = lenientParams(v)
	}
	for _, k := range []string{"name", "filename"} {
		if p, ok := params[k]; ok {
			params[k] = decodeText(p)
		}
	}
	return strings.ToLower(strings.TrimSpace(value)), params
}

// lenientParams splits v on ';' and reads each name=value pair, including
// RFC 2231 "name*=charset”percent-encoded" ones.
func lenientParams(v string) (string, map[string]string) {
	parts := strings.Split(v, ";")
	params := make(map[string]string)
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if strings.HasSuffix(k, "*") {
			k = strings.TrimSuffix(k, "*")
			if _, enc, ok := strings.Cut(val, "''"); ok {
				val = enc
			}
			if u, err := url.PathUnescape(val); err == nil {
				val = u
			}
		}
		if k != "" {
			if _, dup := params[k]; !dup {
				params[k] = val
			}
		}
	}
	return strings.TrimSpace(parts[0]), params
}

// decodeTransfer undoes a Content-Transfer-Encoding. Damaged base64 and
// quoted-printable decode as far as possible; the error says what was wrong
// but the returned bytes are always usable.
func decodeTransfer(cte string, b []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return decodeBase64(b)
	case "quoted-printable":
		return decodeQP(b), nil
	case "", "7bit", "8bit", "binary":
		return b, nil
	}
	return b, fmt.Errorf("unknown transfer encoding %q", cte)
}

// decodeBase64 decodes base64 leniently: characters outside the alphabet
// are skipped, and each run ended by '=' padding decodes on its own (some
// mailers pad every line).
func decodeBase64(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b)*3/4)
	seg := make([]byte, 0, 76)
	bad := false
	flush := func() {
		if len(seg)%4 == 1 {
			seg = seg[:len(seg)-1]
			bad = true
		}
		out, _ = base64.RawStdEncoding.AppendDecode(out, seg)
		seg = seg[:0]
	}
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			seg = append(seg, c)
		case c == '=':
			flush()
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			bad = true
		}
	}
	flush()
	if bad {
		return out, fmt.Errorf("damaged base64")
	}
	return out, nil
}

// decodeQP decodes quoted-printable, keeping any '=' that starts no valid
// escape or soft line break.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		switch {
		case j == len(b):
			i = j - 1
		case b[j] == '\n':
			i = j
		case b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n':
			i = j + 1
		case i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]):
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
		default:
			out = append(out, '=')
		}
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// toUTF8 converts a text body from its declared charset to valid UTF-8. An
// unknown charset is reported, and the body is then read as UTF-8 when it
// is valid, as the HTML's own meta charset for HTML, or as Windows-1252.
func toUTF8(b []byte, cs, mediaType string) (string, error) {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"`))
	switch cs {
	case "utf-8", "utf8":
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	case "", "us-ascii", "ascii":
		return guessUTF8(b, mediaType), nil
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return guessUTF8(b, mediaType), fmt.Errorf("unknown charset %q", cs)
	}
	d, err := io.ReadAll(r)
	if err != nil {
		return strings.ToValidUTF8(string(d), "\uFFFD"), fmt.Errorf("charset %q: %w", cs, err)
	}
	return strings.ToValidUTF8(string(d), "\uFFFD"), nil
}

// guessUTF8 reads bytes of unknown charset.
func guessUTF8(b []byte, mediaType string) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if mediaType == "text/html" {
		enc, _, _ := htmlcharset.DetermineEncoding(b, "text/html")
		if d, err := enc.NewDecoder().Bytes(b); err == nil {
			return strings.ToValidUTF8(string(d), "\uFFFD")
		}
	}
	return validUTF8(string(b))
}

// validUTF8 returns s unchanged when it is valid UTF-8 and otherwise reads
// it as Windows-1252, the usual charset of undeclared 8-bit mail.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	d, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ToValidUTF8(d, "\uFFFD")
}
