package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// TwoFactorRequired reports whether agents of role must use two-factor sign-in.
func (s *Store) TwoFactorRequired(ctx context.Context, role Role) (bool, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM two_factor_required WHERE role = $1`, role).Scan(&n); err != nil {
		return false, fmt.Errorf("inbox: two-factor policy: %w", err)
	}
	return n > 0, nil
}

// TwoFactorPolicy returns, for each role, whether it requires two-factor sign-in.
func (s *Store) TwoFactorPolicy(ctx context.Context) (map[Role]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT role FROM two_factor_required`)
	if err != nil {
		return nil, fmt.Errorf("inbox: two-factor policy: %w", err)
	}
	roles, err := pgx.CollectRows(rows, pgx.RowTo[Role])
	if err != nil {
		return nil, fmt.Errorf("inbox: two-factor policy: %w", err)
	}
	out := map[Role]bool{RoleAgent: false, RoleSupervisor: false, RoleAdmin: false}
	for _, r := range roles {
		out[r] = true
	}
	return out, nil
}

// SetTwoFactorRequired changes whether role requires two-factor sign-in, recording the change
// (AuditSettingsChanged) by actor in the same transaction. Turning it on also ends the sessions
// of that role's agents who have no two-factor yet, so their next sign-in sends them to
// enrolment. Setting what is already set changes and records nothing.
func (s *Store) SetTwoFactorRequired(ctx context.Context, role Role, required bool, actor AuditRecord) error {
	if !role.Valid() {
		return fmt.Errorf("inbox: two-factor policy: %w", invalid("role", "must be agent, supervisor or admin"))
	}
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockTwoFactorPolicy(ctx, tx, role); err != nil {
			return err
		}
		var sql string
		args := []any{role}
		if required {
			sql, args = `INSERT INTO two_factor_required (role, changed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, append(args, s.now())
		} else {
			sql = `DELETE FROM two_factor_required WHERE role = $1`
		}
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("inbox: two-factor policy: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		ended := int64(0)
		if required {
			tag, err := tx.Exec(ctx, `DELETE FROM web_sessions w USING agents a WHERE a.id = w.agent_id AND a.role = $1
				AND NOT EXISTS (SELECT 1 FROM agent_totp t WHERE t.agent_id = a.id AND t.enabled_at IS NOT NULL)`, role)
			if err != nil {
				return fmt.Errorf("inbox: two-factor policy: end sessions: %w", err)
			}
			ended = tag.RowsAffected()
		}
		actor.Kind = AuditSettingsChanged
		actor.Target = "settings:two_factor_required"
		actor.Data = map[string]any{"setting": "two_factor_required", "role": string(role), "required": required, "sessions_ended": ended}
		return s.RecordAuditTx(ctx, tx, actor)
	})
}

// lockTwoFactorPolicy takes, until tx ends, the lock that orders changes of role's two-factor
// requirement against agents of that role turning two-factor off: without it an agent could
// turn it off between the policy's check and an admin requiring it, keeping a session the
// policy ends.
func lockTwoFactorPolicy(ctx context.Context, tx pgx.Tx, role Role) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('two-factor-policy:' || $1, 0))`, string(role)); err != nil {
		return fmt.Errorf("inbox: two-factor policy: lock: %w", err)
	}
	return nil
}

// twoFactorRequiredTx is TwoFactorRequired inside tx, after taking the policy's lock for role
// (see lockTwoFactorPolicy), so the answer holds until tx ends.
func twoFactorRequiredTx(ctx context.Context, tx pgx.Tx, role Role) (bool, error) {
	if err := lockTwoFactorPolicy(ctx, tx, role); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM two_factor_required WHERE role = $1`, role).Scan(&n); err != nil {
		return false, fmt.Errorf("inbox: two-factor policy: %w", err)
	}
	return n > 0, nil
}
