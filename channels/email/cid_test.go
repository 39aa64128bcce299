package email

import "testing"

func TestRewriteCIDs(t *testing.T) {
	url := func(cid string) string {
		if cid == "gone@x" {
			return ""
		}
		return "/attachments/" + cid + "?a=1&b=2"
	}
	tests := []struct{ name, in, want string }{
		{"no cid", `<p>hi</p>`, `<p>hi</p>`},
		{"rewrite", `<p>x</p><img src="cid:img1@x" alt="a">`, `<p>x</p><img src="/attachments/img1@x?a=1&amp;b=2" alt="a">`},
		{"case and escapes", `<IMG SRC="CID:a%40b">`, `<img src="/attachments/a@b?a=1&amp;b=2">`},
		{"https untouched", `<img src="https://x.example/a.png">`, `<img src="https://x.example/a.png">`},
		{"unknown cid loses src", `<img src="cid:gone@x" alt="a">`, `<img alt="a">`},
		{"text mentioning cid untouched", `<p>cid:abc</p>`, `<p>cid:abc</p>`},
		{"link with cid untouched", `<a href="cid:abc">x</a>`, `<a href="cid:abc">x</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RewriteCIDs(tt.in, url); got != tt.want {
				t.Errorf("RewriteCIDs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
