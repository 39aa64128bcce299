package medialink_test

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/medialink"
)

func TestLinksOpenTheirFileUntilTheyExpire(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := medialink.New("secret-one", clock)
	if err != nil {
		t.Fatal(err)
	}
	tok := s.Token(4242, time.Hour)
	if id, err := s.Check(tok); err != nil || id != 4242 {
		t.Fatalf("fresh token: id %d, err %v; want 4242", id, err)
	}
	if other := s.Token(4243, time.Hour); other == tok {
		t.Fatal("two files share a token")
	}

	// Another server's key, a flipped bit, a cut token, garbage: all invalid.
	o, _ := medialink.New("secret-two", clock)
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flipped := append([]byte(nil), raw...)
	flipped[3] ^= 1 // another attachment id, same seal
	for name, bad := range map[string]string{
		"another key": o.Token(4242, time.Hour),
		"altered id":  base64.RawURLEncoding.EncodeToString(flipped),
		"cut":         tok[:len(tok)-2],
		"garbage":     "../../etc/passwd",
		"empty":       "",
	} {
		if _, err := s.Check(bad); !errors.Is(err, medialink.ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}

	// An hour on, the token is expired, not invalid.
	now = now.Add(time.Hour)
	if _, err := s.Check(tok); !errors.Is(err, medialink.ErrExpired) {
		t.Fatalf("after its hour: err %v, want ErrExpired", err)
	}
	if _, err := medialink.New("", nil); err == nil {
		t.Fatal("an empty secret made a signer")
	}
}
