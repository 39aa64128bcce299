package inbox

import (
	"errors"
	"testing"
)

func TestNormalizeIdentity(t *testing.T) {
	tests := []struct {
		kind    IdentityKind
		in      string
		want    string
		wantErr bool
	}{
		{IdentityEmail, "Jane@Example.COM", "jane@example.com", false},
		{IdentityEmail, "  Jane Doe <Jane.Doe@Example.com> ", "jane.doe@example.com", false},
		{IdentityEmail, "not-an-email", "", true},
		{IdentityEmail, "a@localhost", "", true},
		{IdentityEmail, "", "", true},
		{IdentityPhone, "+1 (555) 123-4567", "+15551234567", false},
		{IdentityPhone, "555-123-4567", "+15551234567", false},
		{IdentityPhone, "+44 20 7946 0958", "+442079460958", false},
		{IdentityPhone, "+49 30 1234567", "+49301234567", false},
		{IdentityPhone, "011 49 30 1234567", "+49301234567", false},
		{IdentityPhone, "hello", "", true},
		{IdentityPhone, "12", "", true},
		{IdentityChat, "v_8f3a2b", "v_8f3a2b", false},
		{IdentityChat, "has space", "", true},
		{IdentitySlack, "t01abc:u02def", "T01ABC:U02DEF", false},
		{IdentitySlack, "U02DEF", "", true},
		{IdentitySlack, "T1:", "", true},
		{IdentityKind("fax"), "123", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeIdentity(tt.kind, tt.in, "US")
		if tt.wantErr {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("NormalizeIdentity(%s, %q) error = %v, want ErrInvalid", tt.kind, tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeIdentity(%s, %q) = %q, %v; want %q", tt.kind, tt.in, got, err, tt.want)
		}
	}
}

func FuzzNormalizeIdentity(f *testing.F) {
	for _, s := range []string{"a@b.co", "+15551234567", "T1:U1", "x"} {
		f.Add("email", s)
		f.Add("phone", s)
		f.Add("slack", s)
	}
	f.Fuzz(func(t *testing.T, kind, in string) {
		out, err := NormalizeIdentity(IdentityKind(kind), in, "US")
		if err != nil {
			return
		}
		// Normalizing a normalized address changes nothing.
		again, err := NormalizeIdentity(IdentityKind(kind), out, "US")
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", in, out, again, err)
		}
	})
}

func TestIdentityKindChannel(t *testing.T) {
	for kind, want := range map[IdentityKind]Channel{
		IdentityEmail: ChannelEmail,
		IdentityPhone: ChannelSMS,
		IdentityChat:  ChannelChat,
		IdentitySlack: ChannelSlack,
		"fax":         "",
	} {
		if got := kind.Channel(); got != want {
			t.Errorf("%q.Channel() = %q, want %q", kind, got, want)
		}
	}
}
