package inbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrNoSecretKey means channel credentials cannot be sealed or opened because
// PARLEY_SECRET_KEY is not configured.
var ErrNoSecretKey = errors.New("PARLEY_SECRET_KEY is not set")

// MinSecretKeyBytes is the least entropy PARLEY_SECRET_KEY must carry, in bytes.
const MinSecretKeyBytes = 32

// SecretKeyHelp says how to make a good PARLEY_SECRET_KEY.
const SecretKeyHelp = "make one with `openssl rand -base64 32` or `parley secrets generate`"

// CheckSecretKey refuses a PARLEY_SECRET_KEY that may carry fewer than MinSecretKeyBytes bytes
// of entropy. Entropy cannot be read off a string, so the key must be random bytes written in
// base64 (standard or URL alphabet, padded or not) or hex: at least 32 bytes once decoded, and
// not a run of few distinct bytes (32 random bytes repeat little: fewer than 16 distinct values
// happen with odds below 1 in 10^15). A passphrase is refused, however long.
func CheckSecretKey(key string) error {
	raw, ok := decodeKey(strings.TrimSpace(key))
	if !ok {
		return fmt.Errorf("PARLEY_SECRET_KEY must be at least %d random bytes in base64 or hex; %s", MinSecretKeyBytes, SecretKeyHelp)
	}
	if len(raw) < MinSecretKeyBytes {
		return fmt.Errorf("PARLEY_SECRET_KEY holds %d bytes, fewer than %d; %s", len(raw), MinSecretKeyBytes, SecretKeyHelp)
	}
	distinct := map[byte]bool{}
	for _, b := range raw {
		distinct[b] = true
	}
	if len(distinct) < 16 {
		return fmt.Errorf("PARLEY_SECRET_KEY is not random (%d distinct bytes); %s", len(distinct), SecretKeyHelp)
	}
	return nil
}

// decodeKey reads key as hex, then as each base64 alphabet.
func decodeKey(key string) ([]byte, bool) {
	if raw, err := hex.DecodeString(key); err == nil {
		return raw, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(key); err == nil {
			return raw, true
		}
	}
	return nil, false
}

// GenerateSecretKey returns a new PARLEY_SECRET_KEY: 32 random bytes in base64.
func GenerateSecretKey() string {
	raw := make([]byte, MinSecretKeyBytes)
	_, _ = rand.Read(raw) // crypto/rand never fails
	return base64.StdEncoding.EncodeToString(raw)
}

// sealV1 marks a value sealed under the HKDF-derived key. A value without it is the first
// format, sealed under SHA-256 of the key; Open reads both, Seal writes only this one, and
// `parley secrets rotate` rewrites the old ones.
var sealV1 = []byte("pv1:")

// hkdfInfo binds the derived key to its one use.
const hkdfInfo = "parley inbox credentials v1"

// Sealer encrypts channel credentials at rest with AES-256-GCM. The key is derived from
// PARLEY_SECRET_KEY with HKDF-SHA-256; each sealed value carries the marker "pv1:" and its
// own random nonce. Values sealed before HKDF (no marker, key = SHA-256 of PARLEY_SECRET_KEY)
// still open.
type Sealer struct {
	aead   cipher.AEAD // the HKDF key: seals and opens
	legacy cipher.AEAD // the SHA-256 key: opens unmarked values only
}

// NewSealer returns a Sealer for key; an empty key gives a Sealer that refuses with
// ErrNoSecretKey.
func NewSealer(key string) *Sealer {
	if key == "" {
		return &Sealer{}
	}
	derived, err := hkdf.Key(sha256.New, []byte(key), nil, hkdfInfo, 32)
	if err != nil {
		// 32 bytes is far below HKDF-SHA-256's limit.
		panic(fmt.Sprintf("inbox: sealer: %v", err))
	}
	sum := sha256.Sum256([]byte(key))
	return &Sealer{aead: newGCM(derived), legacy: newGCM(sum[:])}
}

func newGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		// A 32-byte key always makes a cipher.
		panic(fmt.Sprintf("inbox: sealer: %v", err))
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(fmt.Sprintf("inbox: sealer: %v", err))
	}
	return aead
}

// Seal encrypts plaintext.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	if s.aead == nil {
		return nil, fmt.Errorf("inbox: seal: %w", ErrNoSecretKey)
	}
	n := s.aead.NonceSize()
	out := make([]byte, len(sealV1)+n, len(sealV1)+n+len(plaintext)+s.aead.Overhead())
	copy(out, sealV1)
	nonce := out[len(sealV1):]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("inbox: seal: %w", err)
	}
	return s.aead.Seal(out, nonce, plaintext, nil), nil
}

// Open decrypts what Seal produced, or what the first format did; a wrong key or tampered data
// fails.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	out, _, err := s.open(sealed)
	return out, err
}

// open decrypts sealed and reports whether it was in the current format.
func (s *Sealer) open(sealed []byte) ([]byte, bool, error) {
	if s.aead == nil {
		return nil, false, fmt.Errorf("inbox: open: %w", ErrNoSecretKey)
	}
	if rest, ok := bytes.CutPrefix(sealed, sealV1); ok {
		if out, err := gcmOpen(s.aead, rest); err == nil {
			return out, true, nil
		}
		// An unmarked value's random nonce may begin with the marker's bytes (1 in 2^32).
	}
	out, err := gcmOpen(s.legacy, sealed)
	if err != nil {
		return nil, false, fmt.Errorf("inbox: open: wrong PARLEY_SECRET_KEY or tampered value: %w", err)
	}
	return out, false, nil
}

func gcmOpen(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed value too short")
	}
	return aead.Open(nil, sealed[:n], sealed[n:], nil)
}
