package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// tokenPrefix marks Parley API tokens so they are recognizable in logs and secret scanners.
const tokenPrefix = "pk_"

// CreateToken makes a new API token for an agent and returns it. Only its SHA-256 is stored:
// the token is shown once.
func (s *Store) CreateToken(ctx context.Context, agentID int64, name string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("inbox: token: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	_, err := s.pool.Exec(ctx, `INSERT INTO api_tokens (agent_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4)`,
		agentID, sum[:], name, s.now())
	if err != nil {
		return "", fmt.Errorf("inbox: token: %w", notFoundFK(err, "agent_id"))
	}
	return token, nil
}

// AgentByToken returns the agent an API token belongs to, or ErrNotFound.
func (s *Store) AgentByToken(ctx context.Context, token string) (Agent, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return Agent{}, fmt.Errorf("inbox: token: %w", ErrNotFound)
	}
	sum := sha256.Sum256([]byte(token))
	var a Agent
	err := s.pool.QueryRow(ctx, `SELECT a.id, a.email, a.name, a.role, a.capacity, a.availability
		FROM api_tokens t JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = $1`, sum[:]).
		Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability)
	if err != nil {
		return a, fmt.Errorf("inbox: token: %w", notFound(err))
	}
	return a, nil
}
