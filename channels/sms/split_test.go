package sms_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/parleyhq/parley/channels/sms"
)

func TestWidth(t *testing.T) {
	t.Parallel()
	tests := map[string]int{
		"":           0,
		"hello":      5,
		"héllo":      5,
		"Привет":     6,
		"こんにちは":      5,
		"😀":          2,
		"👍🏽":         4, // thumbs up and a skin tone, both beyond the BMP
		"a\xffb":     3,
		"e\u0301":    2, // e and a combining accent
		"\u00a0\t\n": 3,
	}
	for s, want := range tests {
		if got := sms.Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	words := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	tests := []struct {
		name string
		text string
		want []string // nil: check only the invariants and the count
		n    int
	}{
		{name: "empty", text: "", n: 0},
		{name: "white space only", text: " \n\t\u00a0", n: 0},
		{name: "trimmed", text: "  Hi there!\n", want: []string{"Hi there!"}, n: 1},
		{name: "exactly the limit", text: strings.Repeat("a", 1600), want: []string{strings.Repeat("a", 1600)}, n: 1},
		{name: "emoji at the limit", text: strings.Repeat("😀", 800), want: []string{strings.Repeat("😀", 800)}, n: 1},
		{
			name: "one emoji over the limit, no spaces",
			text: strings.Repeat("😀", 801),
			want: []string{"(1/2) " + strings.Repeat("😀", 797), "(2/2) " + strings.Repeat("😀", 4)},
			n:    2,
		},
		{
			name: "a word ends exactly at the budget",
			text: words("word", 400), // 319 words are 1594 characters
			want: []string{"(1/2) " + words("word", 319), "(2/2) " + words("word", 81)},
			n:    2,
		},
		{
			name: "cyrillic words",
			text: words("слово", 300), // 6 characters a word with its space
			want: []string{"(1/2) " + words("слово", 265), "(2/2) " + words("слово", 35)},
			n:    2,
		},
		{name: "japanese without spaces", text: strings.Repeat("日本語", 1000), n: 2},
		{name: "ten parts need a wider prefix", text: strings.Repeat("x", 15000), n: 10},
		{name: "many short lines", text: strings.Repeat("line\n", 2000), n: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := sms.Split(tt.text)
			if len(got) != tt.n {
				t.Fatalf("Split gave %d parts, want %d", len(got), tt.n)
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("Split = %q,\nwant %q", abbreviate(got), abbreviate(tt.want))
			}
			checkSplit(t, tt.text, got)
		})
	}
}

func TestSplitKeepsLineBreaksInsideParts(t *testing.T) {
	t.Parallel()
	text := "Hello,\n\nYour order shipped.\n" + strings.Repeat("More detail. ", 200)
	parts := sms.Split(text)
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "(1/2) Hello,\n\nYour order shipped.\nMore detail.") {
		t.Errorf("first part = %q, want the line breaks kept", abbreviate(parts[:1]))
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("hello world")
	f.Add(strings.Repeat("word ", 400))
	f.Add(strings.Repeat("😀", 801))
	f.Add(strings.Repeat("x", 15000))
	f.Add(strings.Repeat("a\xff ", 700))
	f.Fuzz(func(t *testing.T, text string) {
		checkSplit(t, text, sms.Split(text))
	})
}

var partPrefix = regexp.MustCompile(`^\((\d+)/(\d+)\) `)

// checkSplit checks what Split promises of any text: parts fit, are numbered
// in order when there are several, and together hold every non-space
// character of text in order.
func checkSplit(t *testing.T, text string, parts []string) {
	t.Helper()
	trimmed := strings.TrimSpace(text)
	if sms.Width(trimmed) <= sms.MaxBody {
		if trimmed == "" && parts != nil || trimmed != "" && !slices.Equal(parts, []string{trimmed}) {
			t.Fatalf("Split(%q) = %q, want it whole", abbreviate([]string{text}), abbreviate(parts))
		}
		return
	}
	var body strings.Builder
	for i, p := range parts {
		if w := sms.Width(p); w > sms.MaxBody {
			t.Fatalf("part %d is %d characters wide", i+1, w)
		}
		m := partPrefix.FindStringSubmatch(p)
		if m == nil || m[1] != fmt.Sprint(i+1) || m[2] != fmt.Sprint(len(parts)) {
			t.Fatalf("part %d starts %q, want (%d/%d)", i+1, abbreviate([]string{p}), i+1, len(parts))
		}
		rest := p[len(m[0]):]
		if rest == "" || strings.TrimSpace(rest) != rest {
			t.Fatalf("part %d = %q, want non-space at both ends", i+1, abbreviate([]string{p}))
		}
		body.WriteString(rest)
	}
	if stripSpace(body.String()) != stripSpace(text) {
		t.Fatalf("parts lose or add characters of the text")
	}
}

func stripSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), "")
}

// abbreviate shortens long strings for failure messages.
func abbreviate(parts []string) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if r := []rune(p); len(r) > 40 {
			p = string(r[:20]) + fmt.Sprintf("…(%d runes)…", len(r)) + string(r[len(r)-20:])
		}
		out[i] = p
	}
	return out
}
