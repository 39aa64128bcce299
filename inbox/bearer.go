package inbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// newBearer returns a new bearer secret (a session, an API token, a reset link, a sign-in
// challenge): prefix, which tells its kind at a glance, then 32 random bytes in URL-safe base64;
// and the hash that is stored in its place (see bearerHash), so a copy of the database opens
// nothing.
func newBearer(prefix string) (token string, hash []byte) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand never fails
	token = prefix + base64.RawURLEncoding.EncodeToString(raw)
	return token, bearerHash(token)
}

// bearerHash is the SHA-256 of a bearer secret, as stored and looked up. The secrets carry 256
// random bits, so a fast hash is enough: nothing is left to guess.
func bearerHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
