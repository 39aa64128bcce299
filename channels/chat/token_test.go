package chat

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func newTokens(t *testing.T, secret string) *Tokens {
	t.Helper()
	tk, err := NewTokens([]byte(secret))
	if err != nil {
		t.Fatalf("NewTokens: %v", err)
	}
	return tk
}

func TestTokensRoundTrip(t *testing.T) {
	t.Parallel()
	tk := newTokens(t, "0123456789abcdef0123456789abcdef")
	vid := NewVisitorID()
	tok, err := tk.Issue(42, vid)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	got, err := tk.Parse(42, tok)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got != vid {
		t.Fatalf("Parse = %q, want %q", got, vid)
	}
	if len(tok) > MaxTokenBytes {
		t.Fatalf("token of %d bytes exceeds MaxTokenBytes", len(tok))
	}
}

func TestTokensParseRejects(t *testing.T) {
	t.Parallel()
	tk := newTokens(t, "0123456789abcdef0123456789abcdef")
	other := newTokens(t, "another secret of enough length!")
	good, err := tk.Issue(42, "v_visitor")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(good)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	fromOther, _ := other.Issue(42, "v_visitor")
	// Correctly signed payloads that are wrong inside.
	signed := func(version byte, inbox uint64, visitor string) string {
		p := binary.BigEndian.AppendUint64([]byte{version}, inbox)
		return base64.RawURLEncoding.EncodeToString(tk.sign(append(p, visitor...)))
	}
	tests := []struct {
		name, token string
		inbox       int64
	}{
		{"another inbox", good, 43},
		{"another key", fromOther, 42},
		{"flipped version byte", flip(0), 42},
		{"flipped inbox byte", flip(8), 42},
		{"flipped visitor byte", flip(10), 42},
		{"flipped mac byte", flip(len(raw) - 1), 42},
		{"truncated", good[:len(good)-4], 42},
		{"extended", good + "AAAA", 42},
		{"empty", "", 42},
		{"not base64", "!!!" + good[3:], 42},
		{"padded base64", good + "=", 42},
		{"too long", strings.Repeat("A", MaxTokenBytes+1), 42},
		{"signed, unknown version", signed(2, 42, "v_visitor"), 42},
		{"signed, bad visitor id", signed(1, 42, "v visitor"), 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vid, err := tk.Parse(tt.inbox, tt.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Parse = %q, %v; want ErrInvalidToken", vid, err)
			}
			if vid != "" {
				t.Fatalf("Parse returned visitor %q with an error", vid)
			}
		})
	}
}

func TestTokensIssueRejects(t *testing.T) {
	t.Parallel()
	tk := newTokens(t, "0123456789abcdef")
	for _, tt := range []struct {
		inbox   int64
		visitor string
	}{
		{0, "v_1"}, {-1, "v_1"}, {1, ""}, {1, "v 1"}, {1, strings.Repeat("v", MaxIDBytes+1)},
	} {
		if tok, err := tk.Issue(tt.inbox, tt.visitor); err == nil {
			t.Errorf("Issue(%d, %q) = %q, want an error", tt.inbox, tt.visitor, tok)
		}
	}
}

func TestNewTokensShortSecret(t *testing.T) {
	t.Parallel()
	if _, err := NewTokens([]byte("0123456789abcde")); err == nil {
		t.Fatal("NewTokens accepted a 15-byte secret")
	}
}

func TestNewVisitorID(t *testing.T) {
	t.Parallel()
	a, b := NewVisitorID(), NewVisitorID()
	if a == b {
		t.Fatalf("two visitor ids are equal: %q", a)
	}
	for _, id := range []string{a, b} {
		if !strings.HasPrefix(id, "v_") || len(id) != 28 || !validID(id) {
			t.Fatalf("visitor id %q: want v_ and 26 id characters", id)
		}
	}
}

func TestUserHash(t *testing.T) {
	t.Parallel()
	// RFC 4231, test case 2.
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got := UserHash("Jefe", "what do ya want for nothing?"); got != want {
		t.Fatalf("UserHash = %s, want %s", got, want)
	}
}

func TestVerifyUserHash(t *testing.T) {
	t.Parallel()
	const secret, user = "inbox-secret", "user-123"
	good := UserHash(secret, user)
	tests := []struct {
		name, secret, user, hash string
		want                     bool
	}{
		{"valid", secret, user, good, true},
		{"valid upper-case hex", secret, user, strings.ToUpper(good), true},
		{"another user", secret, "user-124", good, false},
		{"another secret", "other-secret", user, good, false},
		{"empty secret", "", user, UserHash("", user), false},
		{"empty user", secret, "", UserHash(secret, ""), false},
		{"empty hash", secret, user, "", false},
		{"truncated hash", secret, user, good[:62], false},
		{"hash with a trailing byte", secret, user, good + "00", false},
		{"not hex", secret, user, "zz" + good[2:], false},
		{"one bit off", secret, user, good[:63] + string(good[63]^1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := VerifyUserHash(tt.secret, tt.user, tt.hash); got != tt.want {
				t.Fatalf("VerifyUserHash = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzTokensParse checks that Parse never panics and accepts only what Issue made.
func FuzzTokensParse(f *testing.F) {
	tk, err := NewTokens([]byte("0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := tk.Issue(1, "v_x")
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		vid, err := tk.Parse(1, s)
		if err != nil {
			return
		}
		again, ierr := tk.Issue(1, vid)
		if ierr != nil || again != s {
			t.Fatalf("Parse accepted %q (visitor %q) that Issue would not make", s, vid)
		}
	})
}
