package inbox

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters (RFC 6238 defaults, what every authenticator app reads): 6 digits, SHA-1,
// 30-second steps, and one step of drift allowed either way.
const (
	totpPeriod = 30
	totpSkew   = 1
	totpIssuer = "Parley"
)

// ErrBadCode means a two-factor code (or recovery code) is wrong, already used or expired.
var ErrBadCode = errors.New("wrong or expired code")

// TOTPState is where an agent stands with two-factor sign-in.
type TOTPState struct {
	// Enabled means sign-in asks for a code.
	Enabled bool
	// Pending means enrolment started and waits for its first code.
	Pending bool
	// RecoveryLeft counts the unused recovery codes.
	RecoveryLeft int
}

// TOTPSetup is a secret being enrolled: the text an agent may type into an authenticator, and
// the otpauth:// URL its QR code carries.
type TOTPSetup struct {
	Secret string
	URL    string
}

// Key is the setup as a pquerna/otp key, which draws the QR code (Key.Image).
func (t TOTPSetup) Key() (*otp.Key, error) {
	k, err := otp.NewKeyFromURL(t.URL)
	if err != nil {
		return nil, fmt.Errorf("inbox: totp: %w", err)
	}
	return k, nil
}

// TOTPStatus tells whether an agent has two-factor on, or enrolment pending.
func (s *Store) TOTPStatus(ctx context.Context, agentID int64) (TOTPState, error) {
	var st TOTPState
	var enabled, pending bool
	err := s.pool.QueryRow(ctx, `SELECT
			coalesce((SELECT enabled_at IS NOT NULL FROM agent_totp WHERE agent_id = $1), false),
			coalesce((SELECT enabled_at IS NULL FROM agent_totp WHERE agent_id = $1), false),
			(SELECT count(*) FROM agent_recovery_codes WHERE agent_id = $1 AND used_at IS NULL)`, agentID).
		Scan(&enabled, &pending, &st.RecoveryLeft)
	if err != nil {
		return st, fmt.Errorf("inbox: totp status: %w", err)
	}
	st.Enabled, st.Pending = enabled, pending
	return st, nil
}

// BeginTOTP starts (or restarts) an agent's enrolment: a new secret, sealed with the store's
// secret key, that takes effect only when ConfirmTOTP sees a first code from it. An agent who
// already has two-factor on is ErrConflict; no PARLEY_SECRET_KEY is ErrNoSecretKey.
func (s *Store) BeginTOTP(ctx context.Context, agentID int64) (TOTPSetup, error) {
	a, err := s.GetAgent(ctx, agentID)
	if err != nil {
		return TOTPSetup{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: a.Email, Period: totpPeriod})
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: %w", err)
	}
	sealed, err := s.sealer.Seal([]byte(key.URL()))
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: %w", err)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO agent_totp (agent_id, secret_sealed, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (agent_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, last_step = 0
		WHERE agent_totp.enabled_at IS NULL`, agentID, sealed, s.now())
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: two-factor is already on: %w", ErrConflict)
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL()}, nil
}

// PendingTOTP returns the secret of an enrolment in progress (ErrNotFound when there is none).
func (s *Store) PendingTOTP(ctx context.Context, agentID int64) (TOTPSetup, error) {
	var sealed []byte
	err := s.pool.QueryRow(ctx, `SELECT secret_sealed FROM agent_totp WHERE agent_id = $1 AND enabled_at IS NULL`, agentID).Scan(&sealed)
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: %w", notFound(err))
	}
	return s.openSetup(sealed)
}

func (s *Store) openSetup(sealed []byte) (TOTPSetup, error) {
	plain, err := s.sealer.Open(sealed)
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: %w", err)
	}
	key, err := otp.NewKeyFromURL(string(plain))
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("inbox: totp: %w", err)
	}
	return TOTPSetup{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP turns two-factor on when code comes from the pending secret, and returns the ten
// recovery codes (shown once: only their hashes are kept). A wrong code is ErrBadCode and
// changes nothing; no enrolment in progress is ErrNotFound. ip is recorded in the audit log.
func (s *Store) ConfirmTOTP(ctx context.Context, agentID int64, code, ip string) ([]string, error) {
	var codes []string
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		codes, err = s.confirmTOTPTx(ctx, tx, agentID, code, ip)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

func (s *Store) confirmTOTPTx(ctx context.Context, tx pgx.Tx, agentID int64, code, ip string) ([]string, error) {
	var sealed []byte
	var email string
	err := tx.QueryRow(ctx, `SELECT t.secret_sealed, a.email FROM agent_totp t JOIN agents a ON a.id = t.agent_id
		WHERE t.agent_id = $1 AND t.enabled_at IS NULL FOR NO KEY UPDATE OF t`, agentID).Scan(&sealed, &email)
	if err != nil {
		return nil, fmt.Errorf("inbox: totp: no enrolment in progress: %w", notFound(err))
	}
	setup, err := s.openSetup(sealed)
	if err != nil {
		return nil, err
	}
	step, ok := s.matchTOTP(setup.Secret, code, 0)
	if !ok {
		return nil, fmt.Errorf("inbox: totp: %w", ErrBadCode)
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE agent_totp SET enabled_at = $2, last_step = $3 WHERE agent_id = $1`, agentID, now, step); err != nil {
		return nil, fmt.Errorf("inbox: totp: %w", err)
	}
	codes, err := s.replaceRecoveryCodes(ctx, tx, agentID)
	if err != nil {
		return nil, err
	}
	if err := s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditTOTPEnrolled, ActorID: agentID, Actor: email,
		Target: AuditTarget("agent", agentID), SourceIP: ip}); err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns an agent's two-factor off when proof is a current code or the agent's
// password; anything else is ErrBadCode. An agent whose role requires two-factor may not turn it
// off (ErrForbidden).
func (s *Store) DisableTOTP(ctx context.Context, agentID int64, proof, ip string) error {
	a, err := s.GetAgent(ctx, agentID)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(tx pgx.Tx) error {
		required, err := twoFactorRequiredTx(ctx, tx, a.Role)
		if err != nil {
			return err
		}
		if required {
			return fmt.Errorf("inbox: totp: two-factor is required for the %s role: %w", a.Role, ErrForbidden)
		}
		var sealed []byte
		var last int64
		// FOR UPDATE: the row is deleted below.
		err = tx.QueryRow(ctx, `SELECT secret_sealed, last_step FROM agent_totp WHERE agent_id = $1 AND enabled_at IS NOT NULL FOR UPDATE`,
			agentID).Scan(&sealed, &last)
		if err != nil {
			return fmt.Errorf("inbox: totp: two-factor is not on: %w", notFound(err))
		}
		setup, err := s.openSetup(sealed)
		if err != nil {
			return err
		}
		if _, ok := s.matchTOTP(setup.Secret, proof, last); !ok {
			if _, err := s.Authenticate(ctx, a.Email, proof); err != nil {
				if errors.Is(err, ErrBadCredentials) {
					return fmt.Errorf("inbox: totp: %w", ErrBadCode)
				}
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM agent_totp WHERE agent_id = $1`, agentID); err != nil {
			return fmt.Errorf("inbox: totp: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM agent_recovery_codes WHERE agent_id = $1`, agentID); err != nil {
			return fmt.Errorf("inbox: totp: %w", err)
		}
		return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditTOTPDisabled, ActorID: agentID, Actor: a.Email,
			Target: AuditTarget("agent", agentID), SourceIP: ip})
	})
}

// matchTOTP checks code against secret at the store's time, allowing totpSkew steps of drift,
// and returns the step it matched. A step not after last (a code already used) never matches.
func (s *Store) matchTOTP(secret, code string, last int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	now := s.now().Unix() / totpPeriod
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		if step <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}
