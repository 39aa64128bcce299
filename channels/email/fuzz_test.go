package email

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// addCorpus seeds f with every .eml file of testdata.
func addCorpus(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no corpus: %v", err)
	}
	var all [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		all = append(all, b)
	}
	return all
}

func FuzzParse(f *testing.F) {
	for _, b := range addCorpus(f) {
		f.Add(b)
	}
	p := NewParser(ParseOptions{MaxAttachmentBytes: 64})
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := p.Parse(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if !bytes.Equal(got.Raw, raw) {
			t.Fatal("Raw differs from the input")
		}
		for name, s := range map[string]string{
			"Subject": got.Subject, "From": got.From.Name + got.From.Address, "MessageID": got.MessageID,
			"Text": got.Text, "HTML": got.HTML, "Reply": got.Reply, "ReplyHTML": got.ReplyHTML,
			"ParseError": got.ParseError,
		} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if strings.TrimSpace(got.Text) != "" && strings.TrimSpace(got.Reply) == "" {
			t.Errorf("empty Reply for Text %q", got.Text)
		}
		for _, h := range []string{got.HTML, got.ReplyHTML} {
			if strings.Contains(strings.ToLower(h), "<script") {
				t.Errorf("sanitized HTML has a script: %q", h)
			}
		}
		for _, a := range got.Attachments {
			if a.Truncated && a.Data != nil || !a.Truncated && int64(len(a.Data)) != a.Size || a.Size > 64 && !a.Truncated {
				t.Errorf("attachment %q: Size %d, %d bytes, Truncated %v", a.Filename, a.Size, len(a.Data), a.Truncated)
			}
		}
	})
}

func FuzzStripQuotes(f *testing.F) {
	for _, s := range []string{
		"Hi\n\nOn Mon, Sam <s@x> wrote:\n> old",
		"a\n-----Original Message-----\nFrom: x",
		"Done\n____________\nFrom: a\nSent: b\nTo: c",
		"Am 1.1.2024 schrieb Sam:\n> alt\nneu",
		"> only\n> quotes",
		"-- \nsig",
	} {
		f.Add(s)
	}
	for _, b := range addCorpus(f) {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := StripQuotes(in)
		if len(out) > len(in) {
			t.Errorf("output longer than input: %q -> %q", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Errorf("invalid UTF-8 out of valid input: %q", out)
		}
		if strings.TrimSpace(in) != "" && out == "" {
			t.Errorf("empty output for %q", in)
		}
	})
}

func FuzzStripQuotesHTML(f *testing.F) {
	for _, s := range []string{
		`<div>New</div><div class="gmail_quote">old</div>`,
		`<p>New</p><div id="appendonsend"></div><div>old</div>`,
		`<p>a</p><div style="border-top:solid 1px"><b>From:</b> x</div><p>old</p>`,
		`<div>On x, y wrote:</div><blockquote type="cite">old</blockquote>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := StripQuotesHTML(in)
		if !ok && out != in {
			t.Errorf("not stripped but changed: %q -> %q", in, out)
		}
		_ = HTMLToText(out)
	})
}
