// Package medialink makes and checks the public addresses of stored files that a provider
// fetches itself: Twilio takes an MMS picture from the MediaUrl it is given, with no
// credentials. Such an address must be unguessable and must stop working: a Link names one
// attachment and an expiry, sealed with an HMAC of the server's secret key, so it cannot be
// made for another file, changed or extended, and every process of a deployment (one secret
// key) can check what another made.
package medialink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// PathPrefix is where the server serves the files: PathPrefix + Token.
const PathPrefix = "/media/"

// DefaultTTL is how long a link works: long enough for a provider's fetch and its retries,
// short enough that a leaked address soon opens nothing.
const DefaultTTL = time.Hour

// Errors of Check. A caller answers both with the same "not found": a prober learns nothing.
var (
	// ErrInvalid: the token was not made by this key (malformed, altered, another server's).
	ErrInvalid = errors.New("medialink: invalid link")
	// ErrExpired: the token was made by this key but its time is over.
	ErrExpired = errors.New("medialink: expired link")
)

// tokenLen is the token's bytes before encoding: the attachment id, the expiry (Unix
// seconds) and the first 16 bytes of the HMAC-SHA256 over both.
const tokenLen = 8 + 8 + 16

// Signer makes and checks links with one key. Its methods are safe for concurrent use.
type Signer struct {
	key []byte
	now func() time.Time
}

// New returns a Signer keyed by secret (PARLEY_SECRET_KEY): the key is derived from it for
// this one use, so a link never reveals anything about the secret's other uses. now is the
// clock (nil: time.Now). An empty secret is an error: links would be forgeable.
func New(secret string, now func() time.Time) (*Signer, error) {
	if secret == "" {
		return nil, errors.New("medialink: a secret key is required")
	}
	if now == nil {
		now = time.Now
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("parley media link v1"))
	return &Signer{key: m.Sum(nil), now: now}, nil
}

// Token returns the token of attachment id, good for ttl from now.
func (s *Signer) Token(id int64, ttl time.Duration) string {
	b := make([]byte, 16, tokenLen)
	binary.BigEndian.PutUint64(b[0:8], uint64(id))
	binary.BigEndian.PutUint64(b[8:16], uint64(s.now().Add(ttl).Unix()))
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Check returns the attachment id a token names, or ErrInvalid or ErrExpired.
func (s *Signer) Check(token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenLen {
		return 0, ErrInvalid
	}
	if !hmac.Equal(b[16:], s.mac(b[:16])) {
		return 0, ErrInvalid
	}
	if expires := int64(binary.BigEndian.Uint64(b[8:16])); s.now().Unix() >= expires {
		return 0, ErrExpired
	}
	return int64(binary.BigEndian.Uint64(b[0:8])), nil
}

func (s *Signer) mac(b []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	return m.Sum(nil)[:16]
}
