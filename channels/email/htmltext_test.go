package email

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"divs and br", "<div>a</div><div>b<br>c</div>", "a\nb\nc"},
		{"whitespace collapses", "<p>  lots \n\t of   space </p>", "lots of space"},
		{"nbsp", "a&nbsp;&nbsp;b", "a b"},
		{"entities", "Tom &amp; Jerry &lt;3", "Tom & Jerry <3"},
		{"link", `<a href="https://x.example/p">the page</a>`, "the page (https://x.example/p)"},
		{"link same as text", `<a href="https://x.example">https://x.example</a>`, "https://x.example"},
		{"mailto", `<a href="mailto:a@x.example">a@x.example</a>`, "a@x.example"},
		{"mailto with name", `<a href="mailto:a@x.example">Ann</a>`, "Ann (a@x.example)"},
		{"empty link text", `<a href="https://x.example"></a>`, "https://x.example"},
		{"anchor link", `<a href="#top">top</a>`, "top"},
		{"javascript link", `<a href="javascript:x()">click</a>`, "click"},
		{"bullets", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
		{"numbers", "<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"},
		{"headings", "<h1>Title</h1>text", "Title\n\ntext"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"blockquote", "<p>new</p><blockquote><p>old</p><p>older</p></blockquote>", "new\n\n> old\n>\n> older"},
		{"pre", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"skipped", "<head><title>t</title><style>p{}</style></head><script>x()</script><p>body</p>", "body"},
		{"image", `<p>see <img src="cid:a" alt="pic"> here</p>`, "see here"},
		{"blank lines capped", "<p>a</p><p></p><p></p><br><br><br><p>b</p>", "a\n\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("HTMLToText(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextTooDeep(t *testing.T) {
	in := strings.Repeat("<div>", 600) + "deep &amp; nested" + strings.Repeat("</div>", 600) +
		"<script>x()</script><p>after</p>"
	if got := HTMLToText(in); got != "deep & nested\nafter" {
		t.Errorf("HTMLToText(600 nested divs) = %q", got)
	}
}
