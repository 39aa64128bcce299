package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ResetTTL is how long a password reset link works after it is issued.
const ResetTTL = 30 * time.Minute

// resetPrefix marks password reset tokens, as sessionPrefix marks session tokens.
const resetPrefix = "pr_"

// ErrResetLink means a password reset link is unknown, already used or expired; which one is
// not told.
var ErrResetLink = errors.New("this password reset link is invalid, expired or already used")

// RequestReset records that someone asked for a password reset link for email, from ip: the
// AuditResetRequested event says whether an agent has that address, and whether they are active
// (the log may know; the page answers the same either way). When an active one does, enqueue runs on the same transaction with the
// agent's id, so the job that mails the link exists exactly when the event does.
func (s *Store) RequestReset(ctx context.Context, email, ip string, enqueue func(ctx context.Context, tx pgx.Tx, agentID int64) error) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var active bool
		err := tx.QueryRow(ctx, `SELECT id, deactivated_at IS NULL FROM agents WHERE email = $1`, email).Scan(&id, &active)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("inbox: reset request: %w", err)
		}
		rec := AuditRecord{Kind: AuditResetRequested, Actor: email, SourceIP: ip, Data: map[string]any{"exists": id != 0}}
		if id != 0 {
			rec.Target = AuditTarget("agent", id)
			rec.Data["active"] = active
		}
		if err := s.RecordAuditTx(ctx, tx, rec); err != nil {
			return err
		}
		if id == 0 || !active {
			return nil
		}
		return enqueue(ctx, tx, id)
	})
}

// IssueReset makes a new password reset token for an agent, valid for ResetTTL and once, and
// returns it with the agent (to address the mail); a deactivated agent is ErrNotFound. Only its
// hash is stored. The agent's earlier
// unused tokens, and every expired one, are removed: only the newest link works.
func (s *Store) IssueReset(ctx context.Context, agentID int64) (string, Agent, error) {
	token, hash := newBearer(resetPrefix)
	now := s.now()
	var a Agent
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT "+agentCols+" FROM agents WHERE id = $1", agentID).
			Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &a.Active)
		if err != nil {
			return notFound(err)
		}
		if !a.Active {
			return fmt.Errorf("agent %d is deactivated: %w", agentID, ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM password_resets WHERE (agent_id = $1 AND used_at IS NULL) OR expires_at <= $2`,
			agentID, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO password_resets (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, agentID, now, now.Add(ResetTTL))
		return err
	})
	if err != nil {
		return "", Agent{}, fmt.Errorf("inbox: reset: %w", err)
	}
	return token, a, nil
}

// ResetAgent returns the agent a reset token is for, or ErrResetLink when the token is unknown,
// used or expired. It changes nothing: the reset page calls it before showing its form.
func (s *Store) ResetAgent(ctx context.Context, token string) (Agent, error) {
	var a Agent
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		a, _, err = s.resetRowTx(ctx, tx, token, false)
		return err
	})
	return a, err
}

// resetRowTx finds the live reset row of token, of an active agent, (locked FOR NO KEY UPDATE when lock) and its agent.
func (s *Store) resetRowTx(ctx context.Context, tx pgx.Tx, token string, lock bool) (Agent, int64, error) {
	if !strings.HasPrefix(token, resetPrefix) {
		return Agent{}, 0, fmt.Errorf("inbox: reset: %w", ErrResetLink)
	}
	hash := bearerHash(token)
	q := `SELECT a.id, a.email, a.name, a.role, a.capacity, a.availability, a.deactivated_at IS NULL, r.id
		FROM password_resets r JOIN agents a ON a.id = r.agent_id
		WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND a.deactivated_at IS NULL`
	if lock {
		q += " FOR NO KEY UPDATE OF r"
	}
	var a Agent
	var id int64
	err := tx.QueryRow(ctx, q, hash, s.now()).Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &a.Active, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Agent{}, 0, fmt.Errorf("inbox: reset: %w", ErrResetLink)
	}
	if err != nil {
		return Agent{}, 0, fmt.Errorf("inbox: reset: %w", err)
	}
	return a, id, nil
}

// ResetPassword sets a new password with a reset token: the token must be live (else
// ErrResetLink) and the password must pass the policy (else a ValidationError, and the token
// stays usable). In one transaction the token is spent, every session of the agent ends, and
// AuditPasswordReset is recorded from ip.
func (s *Store) ResetPassword(ctx context.Context, token, password, ip string) (Agent, error) {
	var a Agent
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var err error
		if a, id, err = s.resetRowTx(ctx, tx, token, true); err != nil {
			return err
		}
		if err := s.setPasswordTx(ctx, tx, a.ID, password); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = $2 WHERE id = $1`, id, s.now()); err != nil {
			return fmt.Errorf("inbox: reset: %w", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE agent_id = $1`, a.ID)
		if err != nil {
			return fmt.Errorf("inbox: reset: sessions: %w", err)
		}
		return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditPasswordReset, ActorID: a.ID, Actor: a.Email,
			Target: AuditTarget("agent", a.ID), SourceIP: ip, Data: map[string]any{"sessions_ended": tag.RowsAffected()}})
	})
	if err != nil {
		return Agent{}, err
	}
	return a, nil
}
