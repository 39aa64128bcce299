package inbox

import (
	"strings"
	"testing"
)

// FuzzParseImport feeds the contact import's CSV reader arbitrary files: it never panics, and
// every row it accepts has an address to match by and a row number past the header.
func FuzzParseImport(f *testing.F) {
	f.Add("name,email,phone,tags,plan\nAda,ada@example.com,+15550100200,\"a;b\",free\n")
	f.Add("email\n'=1+2@example.com\n\"open\n")
	f.Add("\ufeffEmail,Phone\n,\n,,\nx@y.z,5550100\n")
	defs := []AttributeDef{{Object: AttrContact, Key: "plan", Label: "Plan", Type: AttrList, Options: []string{"free"}}}
	f.Fuzz(func(t *testing.T, file string) {
		lines, _, err := parseImport(strings.NewReader(file), defs, DefaultRegion)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.email == "" && l.phone == "" || l.row < 2 {
				t.Fatalf("accepted row %+v", l)
			}
		}
	})
}
