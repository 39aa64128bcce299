package email

import (
	"os"
	"path/filepath"
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
