package email

import (
	"reflect"
	"testing"
)

func TestPlusToken(t *testing.T) {
	tests := []struct {
		name  string
		addrs []string
		local string
		want  string
	}{
		{"token", []string{"support+c7k2m9@parley.example"}, "support", "c7k2m9"},
		{"case-insensitive", []string{"Support+AbC@parley.example"}, "SUPPORT", "abc"},
		{"second address", []string{"other@x.example", "support+t1@parley.example"}, "support", "t1"},
		{"other mailbox", []string{"sales+t1@parley.example"}, "support", ""},
		{"no plus", []string{"support@parley.example"}, "support", ""},
		{"empty token", []string{"support+@parley.example"}, "support", ""},
		{"bad characters", []string{"support+a/b@parley.example"}, "support", ""},
		{"any mailbox", []string{"help+z9@parley.example"}, "", "z9"},
		{"not an address", []string{"support+t1"}, "support", ""},
		{"none", nil, "support", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlusToken(tt.addrs, tt.local); got != tt.want {
				t.Errorf("PlusToken(%q, %q) = %q, want %q", tt.addrs, tt.local, got, tt.want)
			}
		})
	}
}

func TestSubjectToken(t *testing.T) {
	tests := []struct {
		subject string
		want    int64
		ok      bool
	}{
		{"Re: [#1234] Printer", 1234, true},
		{"[ # 7 ] spaced", 7, true},
		{"first [#1] then [#2]", 1, true},
		{"no token", 0, false},
		{"[#0] zero", 0, false},
		{"[#abc]", 0, false},
		{"#1234 without brackets", 0, false},
		{"[#999999999999999999]", 999999999999999999, true},
		{"[#9999999999999999999] overflow", 0, false},
	}
	for _, tt := range tests {
		got, ok := SubjectToken(tt.subject)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SubjectToken(%q) = %d, %v; want %d, %v", tt.subject, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormalizeSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Re: Hello", "Hello"},
		{"RE: re: Fwd: FW: Hello", "Hello"},
		{"AW: WG: SV: VS: Hello", "Hello"},
		{"Re[2]: Re(3): Hello", "Hello"},
		{"Re : Hello", "Hello"},
		{"回复：你好", "你好"},
		{"  Re:   spaced   out  ", "spaced out"},
		{"Re: [#12] Hello", "[#12] Hello"},
		{"Regarding: keep", "Regarding: keep"},
		{"Refund request", "Refund request"},
		{"Re:", ""},
		{"Hello Re: inner", "Hello Re: inner"},
	}
	for _, tt := range tests {
		if got := NormalizeSubject(tt.in); got != tt.want {
			t.Errorf("NormalizeSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestThreadIDs(t *testing.T) {
	m := &Parsed{
		MessageID:  "self@x",
		InReplyTo:  "c@x",
		References: []string{"a@x", "b@x", "c@x", "self@x"},
	}
	want := []string{"c@x", "b@x", "a@x"}
	if got := m.ThreadIDs(); !reflect.DeepEqual(got, want) {
		t.Errorf("ThreadIDs = %q, want %q", got, want)
	}
	if got := (&Parsed{}).ThreadIDs(); got != nil {
		t.Errorf("ThreadIDs of a new thread = %q, want none", got)
	}
}

func TestRecipients(t *testing.T) {
	m := &Parsed{
		DeliveredTo: []string{"support+t1@p.example"},
		To:          []Address{{Address: "support@p.example"}, {Address: "support+t1@p.example"}},
		Cc:          []Address{{Name: "B", Address: "b@x.example"}},
	}
	want := []string{"support+t1@p.example", "support@p.example", "b@x.example"}
	if got := m.Recipients(); !reflect.DeepEqual(got, want) {
		t.Errorf("Recipients = %q, want %q", got, want)
	}
}
