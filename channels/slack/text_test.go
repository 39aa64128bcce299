package slack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"},
		{"see <https://acme.example/o/7|order 7> now", "see order 7 (https://acme.example/o/7) now"},
		{"<https://acme.example>", "https://acme.example"},
		{"<https://acme.example|https://acme.example>", "https://acme.example"},
		{"<https://x.example/?a=1&amp;b=2|q&amp;a>", "q&a (https://x.example/?a=1&b=2)"},
		{"mail <mailto:ada@acme.example|ada@acme.example>", "mail ada@acme.example"},
		{"hi <@U0AGENT> and <@U1|ada>", "hi @U0AGENT and @ada"},
		{"in <#C123|general> and <#C9>", "in #general and #C9"},
		{"<!here> <!channel> <!subteam^S1|@support>", "@here @channel @support"},
		{"due <!date^1700000000^{date}|Nov 14>", "due Nov 14"},
		{"unclosed < bracket", "unclosed < bracket"},
		{"*bold* _it_", "*bold* _it_"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMessageTextNeverEmpty(t *testing.T) {
	for _, in := range []string{"", "  ", "<>"} {
		if got := messageText(in); strings.TrimSpace(got) == "" {
			t.Errorf("messageText(%q) = %q", in, got)
		}
	}
}

func TestTSTime(t *testing.T) {
	if got := tsTime("1700000000.000100"); got.Unix() != 1700000000 || got.Nanosecond() != 100000 {
		t.Fatalf("tsTime = %v", got)
	}
	for _, bad := range []string{"", "abc", "-5.000001"} {
		if got := tsTime(bad); !got.IsZero() {
			t.Errorf("tsTime(%q) = %v, want zero", bad, got)
		}
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<https://a|b>", "&amp;<@U1|x>", "<<>>", "<!date^1^x|y>", "é<#C|ü>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := PlainText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("PlainText(%q) = %q: invalid UTF-8", s, out)
		}
		if len(out) > 2*len(s)+8 {
			t.Fatalf("PlainText(%q) grew to %d bytes", s, len(out))
		}
	})
}
