package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// RecoveryCodes is how many single-use recovery codes an agent gets when two-factor turns on.
const RecoveryCodes = 10

// replaceRecoveryCodes deletes an agent's recovery codes and makes RecoveryCodes new ones: ten
// letters each (50 random bits), shown as xxxxx-xxxxx. Only their SHA-256 is stored.
func (s *Store) replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, agentID int64) ([]string, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM agent_recovery_codes WHERE agent_id = $1`, agentID); err != nil {
		return nil, fmt.Errorf("inbox: recovery codes: %w", err)
	}
	// Lower-case base32: letters and 2-7, no 0/1/8/9 to confuse with letters.
	enc := base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
	now := s.now()
	codes := make([]string, 0, RecoveryCodes)
	for len(codes) < RecoveryCodes {
		raw := make([]byte, 7)
		if _, err := rand.Read(raw); err != nil {
			return nil, fmt.Errorf("inbox: recovery codes: %w", err)
		}
		c := enc.EncodeToString(raw)[:10]
		tag, err := tx.Exec(ctx, `INSERT INTO agent_recovery_codes (agent_id, code_hash, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, agentID, recoveryHash(c), now)
		if err != nil {
			return nil, fmt.Errorf("inbox: recovery codes: %w", err)
		}
		if tag.RowsAffected() == 1 {
			codes = append(codes, c[:5]+"-"+c[5:])
		}
	}
	return codes, nil
}

// normalizeRecovery folds what an agent typed into a stored code's spelling: lower case, with
// spaces and dashes dropped. It reports false for anything that cannot be a recovery code.
func normalizeRecovery(code string) (string, bool) {
	c := strings.NewReplacer("-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(code)))
	if len(c) != 10 {
		return "", false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return "", false
		}
	}
	return c, true
}

func recoveryHash(code string) []byte {
	sum := sha256.Sum256([]byte("parley-recovery:" + code))
	return sum[:]
}

// useRecoveryCode spends one of the agent's unused recovery codes on tx; false when code is not
// one of them.
func (s *Store) useRecoveryCode(ctx context.Context, tx pgx.Tx, agentID int64, code string) (bool, error) {
	c, ok := normalizeRecovery(code)
	if !ok {
		return false, nil
	}
	tag, err := tx.Exec(ctx, `UPDATE agent_recovery_codes SET used_at = $3
		WHERE agent_id = $1 AND code_hash = $2 AND used_at IS NULL`, agentID, recoveryHash(c), s.now())
	if err != nil {
		return false, fmt.Errorf("inbox: recovery code: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
