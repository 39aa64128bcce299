package email

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseMsgIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"<a@x>", []string{"a@x"}},
		{"<a@x> <b@x>\r\n <c@x>", []string{"a@x", "b@x", "c@x"}},
		{"<a@x>,<b@x>", []string{"a@x", "b@x"}},
		{"<a@x> (comment) <a@x>", []string{"a@x"}},
		{"< a@x >", []string{"a@x"}},
		{"<a\r\n @x>", []string{"a@x"}},
		{"bare@x other@y", []string{"bare@x", "other@y"}},
		{"no id here", nil},
		{"<unterminated@x", []string{"unterminated@x"}},
		{"<>", nil},
	}
	for _, tt := range tests {
		if got := parseMsgIDs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseMsgIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCapReferences(t *testing.T) {
	var ids []string
	for i := range 60 {
		ids = append(ids, fmt.Sprintf("m%d@x", i))
	}
	got := capReferences(ids)
	if len(got) != maxReferences || got[0] != "m0@x" || got[len(got)-1] != "m59@x" || got[1] != "m11@x" {
		t.Errorf("capReferences kept %q", got)
	}
}

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
	}{
		{"", nil},
		{"Dana <Dana@X.Example>", []Address{{"Dana", "dana@x.example"}}},
		{`"Meyer, Jonas" <j@x.example>, b@y.example`, []Address{{"Meyer, Jonas", "j@x.example"}, {"", "b@y.example"}}},
		{"=?UTF-8?Q?Ren=C3=A9e?= <r@x.example>", []Address{{"Renée", "r@x.example"}}},
		{"=?x-unknown?Q?Zo=EB?= <z@x.example>", []Address{{"Zoë", "z@x.example"}}},
		// Not RFC 5322: the lenient reader still finds the address.
		{"Jo Smith <jo@x.example", []Address{{"Jo Smith", "jo@x.example"}}},
		{"jo@x.example; kim@y.example", []Address{{"", "jo@x.example"}, {"", "kim@y.example"}}},
		{"undisclosed-recipients:;", nil},
		{"not an address", nil},
	}
	for _, tt := range tests {
		if got := parseAddresses(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseAddresses(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Tue, 5 Mar 2024 09:14:27 +0100", "2024-03-05T09:14:27+01:00"},
		{"Tue, 05 Mar 2024 09:14:27 +0100 (CET)", "2024-03-05T09:14:27+01:00"},
		{"5 Mar 2024 09:14:27 +0100", "2024-03-05T09:14:27+01:00"},
		{"Tue, 5 Mar 2024 09:14 +0100", "2024-03-05T09:14:00+01:00"},
		{"Tue Mar 5 09:14:27 2024", "2024-03-05T09:14:27Z"},
		{"2024-03-05T09:14:27+01:00", "2024-03-05T09:14:27+01:00"},
		{"sometime last week", "0001-01-01T00:00:00Z"},
		{"", "0001-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		if got := parseDate(tt.in).Format(time.RFC3339); got != tt.want {
			t.Errorf("parseDate(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestThreadIndexRoot(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AQIDBAUGBwgJCgsMDQ4PEBESExQVFgECAwQF", "0102030405060708090a0b0c0d0e0f10111213141516"},
		{"AQID", ""},
		{"not base64!", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := threadIndexRoot(tt.in); got != tt.want {
			t.Errorf("threadIndexRoot(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?UTF-8?B?5rOo5paH?=", "注文"},
		{"=?ISO-8859-1?Q?Gr=F6=DFe?= M", "Größe M"},
		{"Folded\r\n  subject\tline", "Folded subject line"},
		{"raw 8-bit caf\xe9", "raw 8-bit café"},
		{"ctrl\x01chars\x7f", "ctrlchars"},
		{strings.Repeat("a ", 3), "a a a"},
	}
	for _, tt := range tests {
		if got := decodeText(tt.in); got != tt.want {
			t.Errorf("decodeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
