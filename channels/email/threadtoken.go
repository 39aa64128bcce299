package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"strings"
)

// Reasons an inbound email joined a conversation through a channel hint, stored on the message
// as threaded_by (the inbox records "references", "contact-open", "new" and the rest itself).
const (
	ThreadedByPlusToken    = "plus-token"    // the reply was addressed to support+<token>@
	ThreadedBySubjectToken = "subject-token" // the subject named the conversation, "[#1234]"
)

// tokenMACBytes is the length of a thread token's MAC: 80 bits, not guessable.
const tokenMACBytes = 10

// tokenEncoding writes tokens in lower-case base32 without padding, which survives the
// lower-casing of addresses and is a valid plus-address tag.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ThreadTokens makes and checks the opaque tokens that plus-addresses carry: a conversation id
// and an HMAC-SHA256 of it under a key derived from PARLEY_SECRET_KEY, so that a token cannot be
// guessed or forged to file mail into someone else's conversation. Tokens need no table; they
// stop matching if the secret key changes (References still thread such replies).
type ThreadTokens struct {
	key []byte
}

// NewThreadTokens returns the tokens of secret (PARLEY_SECRET_KEY).
func NewThreadTokens(secret string) ThreadTokens {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("parley email thread token v1"))
	return ThreadTokens{key: m.Sum(nil)}
}

// Token returns the token of conversation id.
func (t ThreadTokens) Token(conversationID int64) string {
	payload := binary.AppendUvarint(nil, uint64(conversationID))
	return tokenEncoding.EncodeToString(append(payload, t.mac(payload)...))
}

// Conversation returns the conversation a token names, and false for anything that is not a
// token made with this key.
func (t ThreadTokens) Conversation(token string) (int64, bool) {
	token = strings.ToLower(token)
	raw, err := tokenEncoding.DecodeString(token)
	// Only the canonical spelling counts (base32 lets the last character's spare bits vary).
	if err != nil || len(raw) <= tokenMACBytes || tokenEncoding.EncodeToString(raw) != token {
		return 0, false
	}
	payload, mac := raw[:len(raw)-tokenMACBytes], raw[len(raw)-tokenMACBytes:]
	id, n := binary.Uvarint(payload)
	if n != len(payload) || id == 0 || id > 1<<62 || !hmac.Equal(mac, t.mac(payload)) {
		return 0, false
	}
	return int64(id), true
}

func (t ThreadTokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(payload)
	return m.Sum(nil)[:tokenMACBytes]
}

// ReplyAddress is the plus-address a reply in conversation id should go to:
// local+token@domain.
func (t ThreadTokens) ReplyAddress(address string, conversationID int64) string {
	local, domain, _ := strings.Cut(address, "@")
	return local + "+" + t.Token(conversationID) + "@" + domain
}
