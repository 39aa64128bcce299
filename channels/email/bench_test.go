package email

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkParse parses the whole corpus per iteration with a reused
// Parser and reports messages parsed per second.
func BenchmarkParse(b *testing.B) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		b.Fatalf("no corpus: %v", err)
	}
	var msgs [][]byte
	var size int64
	for _, name := range files {
		m, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, m)
		size += int64(len(m))
	}
	p := NewParser(ParseOptions{})
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			p.ParseBytes(m)
		}
	}
	b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkNewParser measures building the sanitizer policy, the cost the
// one-off Parse function pays on every call.
func BenchmarkNewParser(b *testing.B) {
	for b.Loop() {
		NewParser(ParseOptions{})
	}
}

// BenchmarkParseHostile parses 1 MiB messages built to hit the slow paths:
// deep or unclosed HTML, many quote markers, long header lists, many parts.
func BenchmarkParseHostile(b *testing.B) {
	const size = 1 << 20
	html := "Content-Type: text/html\r\n\r\n"
	var ids strings.Builder
	for i := 0; ids.Len() < size; i++ {
		fmt.Fprintf(&ids, "<%d@x> ", i)
	}
	cases := []struct{ name, raw string }{
		{"unclosed-divs", html + strings.Repeat("<div>", size/5)},
		{"closed-divs", html + strings.Repeat("<div>x</div>", size/12)},
		{"links", html + strings.Repeat(`<a href="https://x.example/">x`, size/30)},
		{"cite-quotes", html + strings.Repeat(`<blockquote type="cite">x`, size/25)},
		{"quoted-lines", "\r\n" + strings.Repeat("> x\n", size/4)},
		{"attribution-openers", "\r\n" + strings.Repeat("On x\n", size/5)},
		{"from-lines", "\r\n" + strings.Repeat("From: x\n", size/8)},
		{"references", "References: " + ids.String() + "\r\n\r\nx"},
		{"parts", "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", size/10)},
	}
	p := NewParser(ParseOptions{})
	for _, c := range cases {
		raw := []byte(c.raw)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				p.ParseBytes(raw)
			}
		})
	}
}
