package chat

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidToken is returned by Tokens.Parse for a token that is malformed, was not
// signed with this server's key, was altered, or belongs to another inbox. The server
// answers such a hello as it would a new visitor's.
var ErrInvalidToken = errors.New("chat: invalid visitor token")

// MinSecretBytes is the shortest secret NewTokens accepts.
const MinSecretBytes = 16

const (
	tokenVersion = 1
	tokenInfo    = "parley chat visitor token v1"
	macBytes     = sha256.Size
)

// Tokens issues and verifies visitor tokens. A token is opaque to the client: the
// base64url encoding of a version byte, the inbox id, the visitor id and an HMAC-SHA256
// of all three. It does not expire: it is the visitor's identity in their browser. A
// Tokens is safe for concurrent use.
type Tokens struct {
	key []byte
}

// NewTokens returns a Tokens signing with a key derived (HKDF-SHA256) from secret, so the
// server's master secret may be passed without its being used for anything else. It
// returns an error when secret is shorter than MinSecretBytes.
func NewTokens(secret []byte) (*Tokens, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("chat: tokens: secret shorter than %d bytes", MinSecretBytes)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, tokenInfo, macBytes)
	if err != nil {
		return nil, fmt.Errorf("chat: tokens: derive key: %w", err)
	}
	return &Tokens{key: key}, nil
}

// NewVisitorID returns a fresh random visitor id ("v_" and 26 base32 characters, 130
// bits of randomness). It is the address of the visitor's chat identity.
func NewVisitorID() string {
	return "v_" + rand.Text()
}

// Issue returns the token binding visitorID to inboxID. It returns an error when inboxID
// is not positive or visitorID is not 1 to MaxIDBytes letters, digits, '-' or '_'.
func (t *Tokens) Issue(inboxID int64, visitorID string) (string, error) {
	if inboxID <= 0 {
		return "", fmt.Errorf("chat: issue token: inbox id %d", inboxID)
	}
	if !validID(visitorID) {
		return "", fmt.Errorf("chat: issue token: bad visitor id %q", visitorID)
	}
	b := make([]byte, 0, 1+8+len(visitorID)+macBytes)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(inboxID))
	b = append(b, visitorID...)
	b = t.sign(b)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Parse verifies token for inboxID and returns the visitor id it binds. The signature is
// checked in constant time before anything else is believed. It returns ErrInvalidToken,
// wrapped, when the token is not valid for inboxID.
func (t *Tokens) Parse(inboxID int64, token string) (string, error) {
	if len(token) > MaxTokenBytes {
		return "", fmt.Errorf("%w: too long", ErrInvalidToken)
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", fmt.Errorf("%w: encoding", ErrInvalidToken)
	}
	if len(b) < 1+8+1+macBytes {
		return "", fmt.Errorf("%w: too short", ErrInvalidToken)
	}
	payload, mac := b[:len(b)-macBytes], b[len(b)-macBytes:]
	if !hmac.Equal(mac, t.mac(payload)) {
		return "", fmt.Errorf("%w: signature", ErrInvalidToken)
	}
	if payload[0] != tokenVersion {
		return "", fmt.Errorf("%w: version %d", ErrInvalidToken, payload[0])
	}
	if got := int64(binary.BigEndian.Uint64(payload[1:9])); got != inboxID {
		return "", fmt.Errorf("%w: issued for inbox %d", ErrInvalidToken, got)
	}
	visitorID := string(payload[9:])
	if !validID(visitorID) {
		return "", fmt.Errorf("%w: visitor id", ErrInvalidToken)
	}
	return visitorID, nil
}

// sign appends the MAC of payload to it.
func (t *Tokens) sign(payload []byte) []byte {
	return append(payload, t.mac(payload)...)
}

func (t *Tokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(payload)
	return m.Sum(nil)
}

// UserHash returns hex(HMAC-SHA256(inboxSecret, userID)): what the host site's server
// computes for a signed-in user and passes to the widget's identify call.
func UserHash(inboxSecret, userID string) string {
	m := hmac.New(sha256.New, []byte(inboxSecret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyUserHash reports whether userHash is hex(HMAC-SHA256(inboxSecret, userID)),
// comparing in constant time. Upper- and lower-case hex are both accepted. It is false
// when inboxSecret or userID is empty: an inbox without a secret verifies no one.
func VerifyUserHash(inboxSecret, userID, userHash string) bool {
	if inboxSecret == "" || userID == "" || len(userHash) != 2*sha256.Size {
		return false
	}
	got, err := hex.DecodeString(userHash)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(inboxSecret))
	m.Write([]byte(userID))
	return hmac.Equal(got, m.Sum(nil))
}

// AttributesHash returns hex(HMAC-SHA256(inboxSecret, userID + "\n" + attributes)): what the
// host site's server computes over a signed-in user's contact attributes, attributes being the
// exact JSON text it passes to the widget's identify call.
func AttributesHash(inboxSecret, userID, attributes string) string {
	m := hmac.New(sha256.New, []byte(inboxSecret))
	m.Write([]byte(userID + "\n" + attributes))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyAttributesHash reports whether hash is AttributesHash(inboxSecret, userID,
// attributes), comparing in constant time. It is false when inboxSecret or userID is empty or
// userID holds a line break (the signed text would be ambiguous).
func VerifyAttributesHash(inboxSecret, userID, attributes, hash string) bool {
	if inboxSecret == "" || userID == "" || strings.ContainsAny(userID, "\r\n") || len(hash) != 2*sha256.Size {
		return false
	}
	got, err := hex.DecodeString(hash)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(inboxSecret))
	m.Write([]byte(userID + "\n" + attributes))
	return hmac.Equal(got, m.Sum(nil))
}
