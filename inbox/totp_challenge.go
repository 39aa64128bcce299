package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Purposes of a sign-in challenge: the agent has two-factor on and must give a code, or their
// role requires two-factor and they must enrol before they get a session.
const (
	ChallengeCode  = "code"
	ChallengeEnrol = "enrol"
)

// ChallengeTTL is how long the half-signed-in state lasts, and ChallengeFailures how many wrong
// codes it takes: after either the password must be given again.
const (
	ChallengeTTL      = 5 * time.Minute
	ChallengeFailures = 5
)

// challengePrefix marks half-signed-in tokens, as sessionPrefix marks sessions.
const challengePrefix = "pc_"

// Challenge is the half-signed-in state between the first factor (password or single sign-on)
// and the second. It is no session: nothing but the second step accepts it.
type Challenge struct {
	AgentID int64
	Purpose string
	// Next is where the agent goes once signed in; Method is how the first factor was given
	// ("password" or "sso"), for the audit log.
	Next   string
	Method string
}

// CreateChallenge records that agentID passed the first factor and must pass purpose next, and
// returns the token (held by the browser; only its hash is stored). Expired challenges are
// removed on the way.
func (s *Store) CreateChallenge(ctx context.Context, c Challenge) (string, error) {
	if c.Purpose != ChallengeCode && c.Purpose != ChallengeEnrol {
		return "", fmt.Errorf("inbox: challenge: %w", invalid("purpose", "must be code or enrol"))
	}
	token, hash := newBearer(challengePrefix)
	now := s.now()
	if _, err := s.pool.Exec(ctx, `DELETE FROM signin_challenges WHERE expires_at <= $1`, now); err != nil {
		return "", fmt.Errorf("inbox: challenge: prune: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO signin_challenges (token_hash, agent_id, purpose, next_path, method, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, hash, c.AgentID, c.Purpose, c.Next, c.Method, now, now.Add(ChallengeTTL))
	if err != nil {
		return "", fmt.Errorf("inbox: challenge: %w", notFoundFK(err, "agent_id"))
	}
	return token, nil
}

// GetChallenge returns the live challenge of token; an unknown, used or expired one is
// ErrNotFound.
func (s *Store) GetChallenge(ctx context.Context, token string) (Challenge, error) {
	return s.challengeOn(ctx, s.pool, token, "")
}

func (s *Store) challengeOn(ctx context.Context, db rowQuerier, token, lock string) (Challenge, error) {
	if !strings.HasPrefix(token, challengePrefix) {
		return Challenge{}, fmt.Errorf("inbox: challenge: %w", ErrNotFound)
	}
	c := Challenge{}
	err := db.QueryRow(ctx, `SELECT agent_id, purpose, next_path, method FROM signin_challenges
		WHERE token_hash = $1 AND expires_at > $2 `+lock, bearerHash(token), s.now()).Scan(&c.AgentID, &c.Purpose, &c.Next, &c.Method)
	if err != nil {
		return Challenge{}, fmt.Errorf("inbox: challenge: %w", notFound(err))
	}
	return c, nil
}

// SecondFactor is what passing a challenge used.
type SecondFactor struct {
	Challenge
	// Recovery is true when a recovery code was spent, RecoveryLeft then counts those left.
	Recovery     bool
	RecoveryLeft int
	// RecoveryCodes are the new codes of an enrolment (shown once).
	RecoveryCodes []string
}

// PassChallenge is the second step of sign-in. For a code challenge, code is a current TOTP code
// (never one already accepted) or an unused recovery code (spent); for an enrol challenge it is
// the first code of the pending enrolment, which turns two-factor on. On success the challenge
// is deleted (it opens exactly one session). A wrong code is ErrBadCode, recorded in the audit
// log (AuditTOTPFailed) and counted: the ChallengeFailures-th deletes the challenge. An unknown,
// used or expired token is ErrNotFound.
func (s *Store) PassChallenge(ctx context.Context, token, code, ip string) (SecondFactor, error) {
	var out SecondFactor
	var bad bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		bad = false
		c, err := s.challengeOn(ctx, tx, token, "FOR UPDATE") // FOR UPDATE: the challenge is deleted below
		if err != nil {
			return err
		}
		out.Challenge = c
		switch c.Purpose {
		case ChallengeEnrol:
			out.RecoveryCodes, err = s.confirmTOTPTx(ctx, tx, c.AgentID, code, ip)
		default:
			err = s.checkCodeTx(ctx, tx, &out, code, ip)
		}
		if errors.Is(err, ErrBadCode) {
			bad = true
			return s.challengeFailedTx(ctx, tx, c.AgentID, token, ip)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM signin_challenges WHERE token_hash = $1`, bearerHash(token))
		return err
	})
	if err != nil {
		return SecondFactor{}, fmt.Errorf("inbox: second factor: %w", err)
	}
	if bad {
		return SecondFactor{}, fmt.Errorf("inbox: second factor: %w", ErrBadCode)
	}
	return out, nil
}

// checkCodeTx accepts a TOTP code of the agent's enabled secret or spends a recovery code.
func (s *Store) checkCodeTx(ctx context.Context, tx pgx.Tx, out *SecondFactor, code, ip string) error {
	id := out.AgentID
	var sealed []byte
	var last int64
	var email string
	err := tx.QueryRow(ctx, `SELECT t.secret_sealed, t.last_step, a.email FROM agent_totp t JOIN agents a ON a.id = t.agent_id
		WHERE t.agent_id = $1 AND t.enabled_at IS NOT NULL FOR NO KEY UPDATE OF t`, id).Scan(&sealed, &last, &email)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrBadCode // two-factor was turned off meanwhile: start again
	}
	if err != nil {
		return err
	}
	setup, err := s.openSetup(sealed)
	if err != nil {
		return err
	}
	if step, ok := s.matchTOTP(setup.Secret, code, last); ok {
		_, err := tx.Exec(ctx, `UPDATE agent_totp SET last_step = $2 WHERE agent_id = $1`, id, step)
		return err
	}
	used, err := s.useRecoveryCode(ctx, tx, id, code)
	if err != nil || !used {
		return errors.Join(err, ErrBadCode)
	}
	out.Recovery = true
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM agent_recovery_codes WHERE agent_id = $1 AND used_at IS NULL`, id).
		Scan(&out.RecoveryLeft); err != nil {
		return err
	}
	return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditRecoveryUsed, ActorID: id, Actor: email, Target: AuditTarget("agent", id),
		SourceIP: ip, Data: map[string]any{"left": out.RecoveryLeft}})
}

// challengeFailedTx counts a wrong code against the challenge (deleting it at the limit) and
// records it in the audit log.
func (s *Store) challengeFailedTx(ctx context.Context, tx pgx.Tx, agentID int64, token, ip string) error {
	var failures int
	err := tx.QueryRow(ctx, `UPDATE signin_challenges SET failures = failures + 1 WHERE token_hash = $1 RETURNING failures`,
		bearerHash(token)).Scan(&failures)
	if err != nil {
		return err
	}
	if failures >= ChallengeFailures {
		if _, err := tx.Exec(ctx, `DELETE FROM signin_challenges WHERE token_hash = $1`, bearerHash(token)); err != nil {
			return err
		}
	}
	var email string
	if err := tx.QueryRow(ctx, `SELECT email FROM agents WHERE id = $1`, agentID).Scan(&email); err != nil {
		return err
	}
	return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditTOTPFailed, ActorID: agentID, Actor: email, Target: AuditTarget("agent", agentID),
		SourceIP: ip, Data: map[string]any{"failures": failures}})
}
