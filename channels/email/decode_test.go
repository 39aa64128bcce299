package email

import (
	"reflect"
	"testing"
)

func TestDecodeTransfer(t *testing.T) {
	tests := []struct {
		name, cte, in, want string
		wantErr             bool
	}{
		{"7bit", "7bit", "plain", "plain", false},
		{"none", "", "plain", "plain", false},
		{"base64", "base64", "SGVsbG8s\r\nIHdvcmxk", "Hello, world", false},
		{"base64 upper-case name", "BASE64", "SGk=", "Hi", false},
		{"base64 indented lines", "base64", " SGVs\n\tbG8=", "Hello", false},
		{"base64 padded per line", "base64", "SGk=\nSGk=", "HiHi", false},
		{"base64 junk skipped", "base64", "SG!!Vs*bG8=", "Hello", true},
		{"base64 dangling char", "base64", "SGVsbG8sA", "Hello,", true},
		{"qp", "quoted-printable", "caf=C3=A9 =3D ok", "café = ok", false},
		{"qp soft break", "quoted-printable", "long=\r\nline=\nend", "longlineend", false},
		{"qp soft break trailing space", "quoted-printable", "a= \nb", "ab", false},
		{"qp lower-case hex", "quoted-printable", "=c3=a9", "é", false},
		{"qp bad escape kept", "quoted-printable", "5=ZZ and =", "5=ZZ and ", false},
		{"unknown encoding", "x-uuencode", "raw", "raw", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeTransfer(tt.cte, []byte(tt.in))
			if string(got) != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("decodeTransfer(%q, %q) = %q, %v; want %q, error %v", tt.cte, tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name, in, charset, mediaType, want string
		wantErr                            bool
	}{
		{"utf-8", "café", "utf-8", "text/plain", "café", false},
		{"invalid utf-8 replaced", "caf\xe9", "UTF-8", "text/plain", "caf\uFFFD", false},
		{"latin1", "caf\xe9", "iso-8859-1", "text/plain", "café", false},
		{"quoted charset name", "caf\xe9", `"ISO-8859-1"`, "text/plain", "café", false},
		{"cp1252 euro", "\x80 \x93x\x94", "windows-1252", "text/plain", "€ “x”", false},
		{"undeclared 8-bit", "caf\xe9", "", "text/plain", "café", false},
		{"us-ascii with 8-bit", "caf\xe9", "us-ascii", "text/plain", "café", false},
		{"html meta charset", `<meta charset="iso-8859-7"><p>` + "\xe1", "", "text/html", `<meta charset="iso-8859-7"><p>α`, false},
		{"unknown charset", "caf\xe9", "x-klingon", "text/plain", "café", true},
		{"shift_jis", "\x93\xfa\x96\x7b", "shift_jis", "text/plain", "日本", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toUTF8([]byte(tt.in), tt.charset, tt.mediaType)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("toUTF8(%q, %q) = %q, %v; want %q, error %v", tt.in, tt.charset, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		in         string
		wantValue  string
		wantParams map[string]string
	}{
		{"", "", map[string]string{}},
		{`Text/Plain; charset="UTF-8"; format=flowed`, "text/plain", map[string]string{"charset": "UTF-8", "format": "flowed"}},
		{`attachment; filename="=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="`, "attachment", map[string]string{"filename": "résumé.pdf"}},
		{`attachment; filename*=UTF-8''na%C3%AFve.txt`, "attachment", map[string]string{"filename": "naïve.txt"}},
		// Duplicate parameters make mime.ParseMediaType fail; the lenient
		// reader still finds the boundary.
		{`multipart/mixed; boundary=abc; boundary=def`, "multipart/mixed", map[string]string{"boundary": "abc"}},
		{`multipart/mixed; boundary="a b"; x`, "multipart/mixed", map[string]string{"boundary": "a b"}},
		{`attachment; filename*=utf-8''bad%zz.txt; size=3 3`, "attachment", map[string]string{"filename": "bad%zz.txt", "size": "3 3"}},
	}
	for _, tt := range tests {
		v, p := parseParams(tt.in)
		if v != tt.wantValue || !reflect.DeepEqual(p, tt.wantParams) {
			t.Errorf("parseParams(%q) = %q, %v; want %q, %v", tt.in, v, p, tt.wantValue, tt.wantParams)
		}
	}
}

func TestSafeFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\invoice.pdf`, "invoice.pdf"},
		{"..", ""},
		{".hidden", "hidden"},
		{"a\x00b\r\nc.txt", "ab c.txt"},
		{"  spaced   name .txt ", "spaced name .txt"},
	}
	for _, tt := range tests {
		if got := safeFilename(tt.in); got != tt.want {
			t.Errorf("safeFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
