package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// sessionPrefix marks web session tokens, as tokenPrefix marks API tokens.
const sessionPrefix = "ps_"

// Session is an agent's signed-in browser. The token that opens it is known only to the browser.
type Session struct {
	ID         int64
	AgentID    int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// CreateSession signs an agent in for ttl and returns the session's token (shown once, stored
// hashed). It also removes every expired session, so the table never grows without bound.
func (s *Store) CreateSession(ctx context.Context, agentID int64, ttl time.Duration, userAgent string) (string, Session, error) {
	token, hash := newBearer(sessionPrefix)
	now := s.now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= $1`, now); err != nil {
		return "", Session{}, fmt.Errorf("inbox: session: prune: %w", err)
	}
	ses := Session{AgentID: agentID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(ttl)}
	err := s.pool.QueryRow(ctx, `INSERT INTO web_sessions (token_hash, agent_id, created_at, last_seen_at, expires_at, user_agent)
		VALUES ($1, $2, $3, $3, $4, $5) RETURNING id`, hash, agentID, now, ses.ExpiresAt, userAgent).Scan(&ses.ID)
	if err != nil {
		return "", Session{}, fmt.Errorf("inbox: session: %w", notFoundFK(err, "agent_id"))
	}
	return token, ses, nil
}

// SessionAgent returns the agent signed in with token. A session that expired, or sat unused for
// longer than idle, or whose agent is deactivated, is ErrNotFound, as is an unknown token. Its
// last use is recorded at most once a minute, so reading a session is not a write per request.
func (s *Store) SessionAgent(ctx context.Context, token string, idle time.Duration) (Agent, Session, error) {
	if !strings.HasPrefix(token, sessionPrefix) {
		return Agent{}, Session{}, fmt.Errorf("inbox: session: %w", ErrNotFound)
	}
	hash := bearerHash(token)
	now := s.now()
	var a Agent
	var ses Session
	err := s.pool.QueryRow(ctx, `SELECT a.id, a.email, a.name, a.role, a.capacity, a.availability,
			w.id, w.created_at, w.last_seen_at, w.expires_at
		FROM web_sessions w JOIN agents a ON a.id = w.agent_id
		WHERE w.token_hash = $1 AND w.expires_at > $2 AND w.last_seen_at > $3 AND a.deactivated_at IS NULL`, hash, now, now.Add(-idle)).
		Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &ses.ID, &ses.CreatedAt, &ses.LastSeenAt, &ses.ExpiresAt)
	if err != nil {
		return Agent{}, Session{}, fmt.Errorf("inbox: session: %w", notFound(err))
	}
	ses.AgentID, a.Active = a.ID, true
	if now.Sub(ses.LastSeenAt) >= time.Minute {
		if _, err := s.pool.Exec(ctx, `UPDATE web_sessions SET last_seen_at = $2 WHERE id = $1`, ses.ID, now); err != nil {
			return Agent{}, Session{}, fmt.Errorf("inbox: session: touch: %w", err)
		}
		ses.LastSeenAt = now
	}
	return a, ses, nil
}

// DeleteSession signs a session out. An unknown token is not an error: signing out twice is fine.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	hash := bearerHash(token)
	if _, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE token_hash = $1`, hash); err != nil {
		return fmt.Errorf("inbox: sign out: %w", err)
	}
	return nil
}
