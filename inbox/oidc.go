package inbox

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"
)

// OIDCLogin is a single sign-on request in flight: what its callback must check (the nonce in
// the ID token) and send (the PKCE verifier), and where the agent goes afterwards.
type OIDCLogin struct {
	Nonce    string
	Verifier string
	Next     string
}

// CreateOIDCLogin records an authorization request under its state (stored hashed) for ttl.
// Expired requests are removed on the way.
func (s *Store) CreateOIDCLogin(ctx context.Context, state string, l OIDCLogin, ttl time.Duration) error {
	now := s.now()
	if _, err := s.pool.Exec(ctx, `DELETE FROM oidc_logins WHERE expires_at <= $1`, now); err != nil {
		return fmt.Errorf("inbox: sso: prune: %w", err)
	}
	sum := sha256.Sum256([]byte(state))
	_, err := s.pool.Exec(ctx, `INSERT INTO oidc_logins (state_hash, nonce, verifier, next_path, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		sum[:], l.Nonce, l.Verifier, l.Next, now.Add(ttl))
	if err != nil {
		return fmt.Errorf("inbox: sso: %w", err)
	}
	return nil
}

// TakeOIDCLogin returns and deletes the request of state: each is used once. An unknown, used or
// expired state is ErrNotFound.
func (s *Store) TakeOIDCLogin(ctx context.Context, state string) (OIDCLogin, error) {
	sum := sha256.Sum256([]byte(state))
	var l OIDCLogin
	var live bool
	err := s.pool.QueryRow(ctx, `DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING nonce, verifier, next_path, expires_at > $2`,
		sum[:], s.now()).Scan(&l.Nonce, &l.Verifier, &l.Next, &live)
	if err != nil {
		return OIDCLogin{}, fmt.Errorf("inbox: sso: %w", notFound(err))
	}
	if !live {
		return OIDCLogin{}, fmt.Errorf("inbox: sso: sign-in request expired: %w", ErrNotFound)
	}
	return l, nil
}
