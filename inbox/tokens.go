package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// tokenPrefix marks Parley API tokens so they are recognizable in logs and secret scanners.
const tokenPrefix = "pk_"

// TokenKind says what an API token may do.
type TokenKind string

// Token kinds.
const (
	// TokenAgent acts as its agent, with the agent's role.
	TokenAgent TokenKind = "agent"
	// TokenIntegration may only feed the inbound API (POST /api/v1/inbound) and read who it is
	// (GET /api/v1/me); the identities it names are stored as verified.
	TokenIntegration TokenKind = "integration"
)

// Valid reports whether k is a known kind.
func (k TokenKind) Valid() bool { return k == TokenAgent || k == TokenIntegration }

// APIToken is what is known about an API token; the token itself is shown once, when made.
type APIToken struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	AgentEmail string     `json:"agent_email"`
	Name       string     `json:"name"`
	Kind       TokenKind  `json:"kind"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// NewToken is the input of IssueToken.
type NewToken struct {
	AgentID int64
	Name    string
	Kind    TokenKind // "" means TokenAgent
	// ExpiresAt ends the token; zero means it does not expire.
	ExpiresAt time.Time
}

// maxTokenName bounds a token's label.
const maxTokenName = 100

// IssueToken makes a new API token and returns it with its record. Only its SHA-256 is stored:
// the token is shown once. The audit log records it in the same transaction.
func (s *Store) IssueToken(ctx context.Context, nt NewToken, by AuditActor) (string, APIToken, error) {
	nt.Name = strings.TrimSpace(nt.Name)
	if nt.Kind == "" {
		nt.Kind = TokenAgent
	}
	switch {
	case nt.Name == "":
		return "", APIToken{}, fmt.Errorf("inbox: token: %w", invalid("name", "is required"))
	case utf8.RuneCountInString(nt.Name) > maxTokenName:
		return "", APIToken{}, fmt.Errorf("inbox: token: %w", invalid("name", "at most %d characters", maxTokenName))
	case !nt.Kind.Valid():
		return "", APIToken{}, fmt.Errorf("inbox: token: %w", invalid("kind", "must be agent or integration"))
	case !nt.ExpiresAt.IsZero() && !nt.ExpiresAt.After(s.now()):
		return "", APIToken{}, fmt.Errorf("inbox: token: %w", invalid("expires", "must be in the future"))
	}
	token, hash := newBearer(tokenPrefix)
	var expires *time.Time
	if !nt.ExpiresAt.IsZero() {
		expires = &nt.ExpiresAt
	}
	var t APIToken
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO api_tokens (agent_id, token_hash, name, kind, expires_at, created_at)
			SELECT id, $2, $3, $4, $5, $6 FROM agents WHERE id = $1 AND deactivated_at IS NULL
			RETURNING id, agent_id, (SELECT email FROM agents WHERE id = $1), name, kind, created_at, expires_at, last_used_at`,
			nt.AgentID, hash, nt.Name, nt.Kind, expires, s.now()).
			Scan(&t.ID, &t.AgentID, &t.AgentEmail, &t.Name, &t.Kind, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return invalid("agent_id", "no active agent %d", nt.AgentID)
		}
		if err != nil {
			return err
		}
		return s.RecordAuditTx(ctx, tx, by.Record(AuditTokenCreated, AuditTarget("token", t.ID),
			map[string]any{"agent": t.AgentEmail, "name": t.Name, "kind": string(t.Kind), "expires_at": expires}))
	})
	if err != nil {
		return "", APIToken{}, fmt.Errorf("inbox: token: %w", err)
	}
	return token, t, nil
}

// CreateToken makes a new agent token without expiry, on the system's behalf, and returns it.
func (s *Store) CreateToken(ctx context.Context, agentID int64, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		name = "api"
	}
	token, _, err := s.IssueToken(ctx, NewToken{AgentID: agentID, Name: name}, AuditActor{})
	return token, err
}

const tokenCols = `t.id, t.agent_id, a.email, t.name, t.kind, t.created_at, t.expires_at, t.last_used_at`

func scanToken(row pgx.CollectableRow) (APIToken, error) {
	var t APIToken
	err := row.Scan(&t.ID, &t.AgentID, &t.AgentEmail, &t.Name, &t.Kind, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt)
	return t, err
}

// Tokens lists the API tokens of an agent (every agent's when agentID is 0), newest first.
func (s *Store) Tokens(ctx context.Context, agentID int64) ([]APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens t JOIN agents a ON a.id = t.agent_id
		WHERE $1 = 0 OR t.agent_id = $1 ORDER BY t.id DESC`, agentID)
	if err != nil {
		return nil, fmt.Errorf("inbox: tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("inbox: tokens: %w", err)
	}
	return out, nil
}

// RevokeToken deletes an API token; owner limits it to that agent's tokens (0: any agent's), so
// another agent's token is ErrNotFound. EventTokenRevoked makes every process forget it at once;
// the audit log records it; both in the same transaction.
func (s *Store) RevokeToken(ctx context.Context, id, owner int64, by AuditActor) (APIToken, error) {
	var t APIToken
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM api_tokens t USING agents a
			WHERE t.id = $1 AND a.id = t.agent_id AND ($2 = 0 OR t.agent_id = $2) RETURNING `+tokenCols, id, owner)
		if err != nil {
			return err
		}
		if t, err = pgx.CollectExactlyOneRow(rows, scanToken); err != nil {
			return notFound(err)
		}
		if err := s.Publish(ctx, tx, Event{Type: EventTokenRevoked, AgentID: t.AgentID,
			Data: map[string]any{"token_id": t.ID}, At: s.now()}); err != nil {
			return err
		}
		return s.RecordAuditTx(ctx, tx, by.Record(AuditTokenRevoked, AuditTarget("token", t.ID),
			map[string]any{"agent": t.AgentEmail, "name": t.Name, "kind": string(t.Kind)}))
	})
	if err != nil {
		return APIToken{}, fmt.Errorf("inbox: revoke token %d: %w", id, err)
	}
	return t, nil
}

// TokenAgent returns the agent an API token acts as, and the token's record. An unknown,
// revoked or expired token, or one whose agent is deactivated, is ErrNotFound; the last is also
// ErrDeactivated (a socket closes for it as the deactivation's event would). The token's last
// use is recorded at most once a minute, so a lookup is not a write per request.
func (s *Store) TokenAgent(ctx context.Context, token string) (Agent, APIToken, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return Agent{}, APIToken{}, fmt.Errorf("inbox: token: %w", ErrNotFound)
	}
	hash := bearerHash(token)
	now := s.now()
	var a Agent
	var t APIToken
	err := s.pool.QueryRow(ctx, `SELECT a.id, a.email, a.name, a.role, a.capacity, a.availability, a.deactivated_at IS NULL, `+tokenCols+`
		FROM api_tokens t JOIN agents a ON a.id = t.agent_id
		WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)`, hash, now).
		Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &a.Active,
			&t.ID, &t.AgentID, &t.AgentEmail, &t.Name, &t.Kind, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt)
	if err != nil {
		return Agent{}, APIToken{}, fmt.Errorf("inbox: token: %w", notFound(err))
	}
	if !a.Active {
		return Agent{}, APIToken{}, fmt.Errorf("inbox: token of agent %d: %w: %w", a.ID, ErrNotFound, ErrDeactivated)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if _, err := s.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, t.ID, now); err != nil {
			return Agent{}, APIToken{}, fmt.Errorf("inbox: token: touch: %w", err)
		}
		t.LastUsedAt = &now
	}
	return a, t, nil
}
