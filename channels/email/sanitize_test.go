package email

import (
	"strings"
	"testing"
)

func TestSanitizeHTML(t *testing.T) {
	p := NewParser(ParseOptions{})
	tests := []struct {
		name, in string
		has      []string
		hasNot   []string
	}{
		{"script", `<p>a</p><script>alert(1)</script>`, []string{"<p>a</p>"}, []string{"script", "alert"}},
		{"style element and attribute", `<style>p{}</style><p style="color:red">a</p>`, []string{"<p>a</p>"}, []string{"style", "color"}},
		{"event handlers", `<p onclick="x()" onmouseover="y()">a</p><img src="https://x.example/a.png" onerror="z()">`,
			[]string{"<p>a</p>", `<img src="https://x.example/a.png">`}, []string{"onclick", "onmouseover", "onerror"}},
		{"javascript and data links", `<a href="javascript:alert(1)">a</a><a href="data:text/html,x">b</a><a href="vbscript:x">c</a>`,
			nil, []string{"href", "javascript", "data:", "vbscript"}},
		{"links", `<a href="https://x.example" target="_self" rel="opener">a</a>`,
			[]string{`href="https://x.example"`, `rel="nofollow noreferrer noopener"`, `target="_blank"`}, []string{"_self", `"opener"`}},
		{"relative link dropped", `<a href="/admin">a</a>`, nil, []string{"href"}},
		{"images", `<img src="cid:a@b"><img src="https://x.example/p.png"><img src="http://x.example/p.png"><img src="data:image/png;base64,AA"><img src="//x.example/p.png">`,
			[]string{`<img src="cid:a@b">`, `<img src="https://x.example/p.png">`}, []string{"http:", "data:", `"//x`}},
		{"forms", `<form action="https://x.example"><input name="p"><button>go</button><textarea>t</textarea><select><option>o</option></select></form>`,
			nil, []string{"<form", "<input", "<button", "<textarea", "<select", "action"}},
		{"frames and objects", `<iframe src="https://x.example"></iframe><object data="x"></object><embed src="x"><base href="https://x.example"><meta http-equiv="refresh" content="0"><link rel="stylesheet" href="x">`,
			nil, []string{"iframe", "object", "embed", "base", "meta", "link", "refresh"}},
		{"svg and math", `<svg><script>alert(1)</script></svg><math><mtext>x</mtext></math>`, nil, []string{"svg", "script", "math"}},
		{"class and id dropped", `<div class="gmail_quote" id="inbox">a</div>`, []string{"<div>a</div>"}, []string{"class", "id="}},
		{"tables and lists kept", `<table border="1"><tr><td colspan="2">a</td></tr></table><ul><li>b</li></ul>`,
			[]string{`<table border="1">`, `<td colspan="2">`, "<ul><li>b</li></ul>"}, nil},
		{"encoded javascript", `<a href="&#106;avascript:alert(1)">a</a><a href="java&#x09;script:x">b</a>`, nil, []string{"href", "script"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.SanitizeHTML(tt.in)
			for _, s := range tt.has {
				if !strings.Contains(got, s) {
					t.Errorf("SanitizeHTML(%q) = %q, lacks %q", tt.in, got, s)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(strings.ToLower(got), strings.ToLower(s)) {
					t.Errorf("SanitizeHTML(%q) = %q, has %q", tt.in, got, s)
				}
			}
		})
	}
}
