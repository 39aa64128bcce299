package email

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// crlf joins lines into a message with CRLF line ends.
func crlf(lines ...string) string {
	return strings.Join(lines, "\r\n")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestParseReaderError(t *testing.T) {
	_, err := Parse(failingReader{}, ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "email: read: connection reset") {
		t.Errorf("Parse error = %v, want the wrapped read error", err)
	}
}

func TestParseAttachmentCap(t *testing.T) {
	raw := crlf(
		"From: a@x.example",
		"Content-Type: multipart/mixed; boundary=b",
		"",
		"--b",
		"Content-Type: text/plain",
		"",
		"see files",
		"--b",
		"Content-Type: application/octet-stream; name=small.bin",
		"",
		"12345",
		"--b",
		"Content-Type: application/octet-stream; name=big.bin",
		"",
		"1234567890",
		"--b--",
	)
	tests := []struct {
		name      string
		max       int64
		wantSmall bool // small.bin keeps its data
		wantBig   bool
	}{
		{"default keeps all", 0, true, true},
		{"cap between", 8, true, false},
		{"cap equal to size", 5, true, false},
		{"negative keeps none", -1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(strings.NewReader(raw), ParseOptions{MaxAttachmentBytes: tt.max})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Attachments) != 2 {
				t.Fatalf("%d attachments, want 2", len(p.Attachments))
			}
			for i, keep := range []bool{tt.wantSmall, tt.wantBig} {
				a := p.Attachments[i]
				wantSize := []int64{5, 10}[i]
				if a.Size != wantSize || a.Truncated == keep || (a.Data != nil) != keep {
					t.Errorf("attachment %s: Size %d Truncated %v data %q; want size %d, kept %v",
						a.Filename, a.Size, a.Truncated, a.Data, wantSize, keep)
				}
			}
		})
	}
}

func TestParseBodyCap(t *testing.T) {
	raw := crlf("Content-Type: text/plain; charset=utf-8", "", strings.Repeat("é", 10))
	p, err := Parse(strings.NewReader(raw), ParseOptions{MaxBodyBytes: 7})
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != "ééé" || !p.BodyTruncated {
		t.Errorf("Text %q, BodyTruncated %v; want %q cut on a character boundary", p.Text, p.BodyTruncated, "ééé")
	}
}

func TestParseOddMessages(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		wantText    string
		wantSubject string
		wantAttach  []string // file names
		wantErr     string   // substring of ParseError; "" means none
	}{
		{"empty", "", "", "", nil, ""},
		{"header only", "Subject: just a header", "", "just a header", nil, ""},
		{"body without header", "Hello there,\nno header at all.", "Hello there,\nno header at all.", "", nil, "malformed MIME header"},
		{"blank first line means no header", "\r\nFrom: not a header", "From: not a header", "", nil, ""},
		{"mbox envelope line", crlf("From jo@x.example Mon Mar  4 10:00:00 2024", "Subject: mbox", "", "body"), "body", "mbox", nil, ""},
		{"lf line ends", "Subject: lf\n\nline one\nline two\n", "line one\nline two", "lf", nil, ""},
		{"missing boundary parameter", crlf("Content-Type: multipart/mixed", "", "just text"), "just text", "", nil, "no boundary"},
		{"empty multipart", crlf("Content-Type: multipart/mixed; boundary=b", "", "preamble", "--b--"), "", "", nil, ""},
		{"unterminated multipart", crlf("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "cut short"), "cut short", "", nil, "unexpected EOF"},
		{"bad content type", crlf("Content-Type: garbage", "", "text"), "text", "", nil, "bad content type"},
		{"unknown transfer encoding", crlf("Content-Transfer-Encoding: x-weird", "", "raw"), "raw", "", nil, "unknown transfer encoding"},
		{"html meta charset", crlf("Content-Type: text/html", "", "<meta charset=\"iso-8859-1\"><p>caf\xe9</p>"), "café", "", nil, ""},
		{"flowed text", crlf("Content-Type: text/plain; format=flowed", "", "one ", "line", "-- ", "sig"), "one line\n-- \nsig", "", nil, ""},
		{"enriched alternative dropped, calendar kept", crlf(
			"Content-Type: multipart/alternative; boundary=b", "",
			"--b", "Content-Type: text/plain", "", "plain",
			"--b", "Content-Type: text/enriched", "", "<bold>rich</bold>",
			"--b", "Content-Type: text/calendar; method=REQUEST", "", "BEGIN:VCALENDAR",
			"--b--"), "plain", "", []string{"attachment-1.ics"}, ""},
		{"forwarded message attached", crlf(
			"Content-Type: multipart/mixed; boundary=b", "",
			"--b", "Content-Type: text/plain", "", "see below",
			"--b", "Content-Type: message/rfc822", "", "Subject: inner", "", "inner body",
			"--b--"), "see below", "", []string{"attachment-1.eml"}, ""},
		{"text attachment by disposition", crlf(
			"Content-Type: multipart/mixed; boundary=b", "",
			"--b", "Content-Type: text/plain", "", "body",
			"--b", "Content-Type: text/plain", "Content-Disposition: attachment", "", "file",
			"--b--"), "body", "", []string{"attachment-1.txt"}, ""},
		{"two text parts joined", crlf(
			"Content-Type: multipart/mixed; boundary=b", "",
			"--b", "Content-Type: text/plain", "", "first",
			"--b", "Content-Type: image/png; name=a.png", "Content-Disposition: inline", "", "png",
			"--b", "Content-Type: text/plain", "", "second",
			"--b--"), "first\n\nsecond", "", []string{"a.png"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(strings.NewReader(tt.raw), ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Text != tt.wantText || p.Subject != tt.wantSubject {
				t.Errorf("Text %q Subject %q; want %q, %q", p.Text, p.Subject, tt.wantText, tt.wantSubject)
			}
			var names []string
			for _, a := range p.Attachments {
				names = append(names, a.Filename)
			}
			if strings.Join(names, ",") != strings.Join(tt.wantAttach, ",") {
				t.Errorf("attachments %q, want %q", names, tt.wantAttach)
			}
			if (tt.wantErr == "") != (p.ParseError == "") || !strings.Contains(p.ParseError, tt.wantErr) {
				t.Errorf("ParseError %q, want %q", p.ParseError, tt.wantErr)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	deep := "Content-Type: text/plain\r\n\r\ndeepest"
	for i := range maxDepth + 5 {
		b := "b" + strings.Repeat("x", i)
		deep = crlf("Content-Type: multipart/mixed; boundary="+b, "", "--"+b, deep, "--"+b+"--")
	}
	p, _ := Parse(strings.NewReader(deep), ParseOptions{})
	if !strings.Contains(p.ParseError, "nested deeper") {
		t.Errorf("deep nesting: ParseError %q", p.ParseError)
	}

	var many strings.Builder
	many.WriteString("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
	for range maxParts + 10 {
		many.WriteString("--b\r\nContent-Type: application/x-thing\r\n\r\nx\r\n")
	}
	many.WriteString("--b--\r\n")
	p, _ = Parse(strings.NewReader(many.String()), ParseOptions{})
	if !strings.Contains(p.ParseError, "more than") || len(p.Attachments) != maxParts {
		t.Errorf("many parts: %d attachments, ParseError %q", len(p.Attachments), p.ParseError)
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		name, in string
		delsp    bool
		want     string
	}{
		{"joins soft breaks", "a \nb \nc\nd", false, "a b c\nd"},
		{"delsp", "long wo\nrd", false, "long wo\nrd"},
		{"delsp joins", "long wo \nrd", true, "long word"},
		{"space stuffing removed", " From here", false, "From here"},
		{"signature not joined", "text\n-- \nsig", false, "text\n-- \nsig"},
		{"quote depth", "> a \n> b\n>> c \n>> d", false, "> a b\n>> c d"},
		{"depth change ends paragraph", "> a \nb", false, "> a \nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unflow(tt.in, tt.delsp); got != tt.want {
				t.Errorf("unflow(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseAlwaysValidUTF8 feeds bytes that are not UTF-8 through every
// header and body path.
func TestParseAlwaysValidUTF8(t *testing.T) {
	raw := crlf(
		"From: \xff\xfe <a\xff@x.example>",
		"Subject: \xc3\x28 bad",
		"Message-ID: <\xff@x>",
		"Content-Type: multipart/alternative; boundary=b",
		"",
		"--b",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"\xff\xfe text",
		"--b",
		"Content-Type: text/html; charset=utf-8",
		"",
		"<p>\xff\xfe html</p>",
		"--b--",
	)
	p, _ := Parse(strings.NewReader(raw), ParseOptions{})
	for name, s := range map[string]string{
		"From": p.From.Name + p.From.Address, "Subject": p.Subject, "MessageID": p.MessageID,
		"Text": p.Text, "HTML": p.HTML, "Reply": p.Reply,
	} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
	}
}
