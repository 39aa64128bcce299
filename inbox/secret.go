package inbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrNoSecretKey means channel credentials cannot be sealed or opened because
// PARLEY_SECRET_KEY is not configured.
var ErrNoSecretKey = errors.New("PARLEY_SECRET_KEY is not set")

// Sealer encrypts channel credentials at rest with AES-256-GCM under a key derived from
// PARLEY_SECRET_KEY (SHA-256 of it). Each sealed value carries its own random nonce.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for key; an empty key gives a Sealer that refuses with
// ErrNoSecretKey.
func NewSealer(key string) *Sealer {
	if key == "" {
		return &Sealer{}
	}
	sum := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		// A 32-byte key always makes a cipher.
		panic(fmt.Sprintf("inbox: sealer: %v", err))
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(fmt.Sprintf("inbox: sealer: %v", err))
	}
	return &Sealer{aead: aead}
}

// Seal encrypts plaintext.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	if s.aead == nil {
		return nil, fmt.Errorf("inbox: seal: %w", ErrNoSecretKey)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("inbox: seal: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open decrypts what Seal produced; a wrong key or tampered data fails.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	if s.aead == nil {
		return nil, fmt.Errorf("inbox: open: %w", ErrNoSecretKey)
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("inbox: open: sealed value too short")
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("inbox: open: wrong PARLEY_SECRET_KEY or tampered value: %w", err)
	}
	return out, nil
}
