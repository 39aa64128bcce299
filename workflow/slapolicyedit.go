package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// UpdatePolicy replaces every setting of policy id with n, read as CreatePolicy reads it (so
// Levels nil means the default ladder after n.EscalateAfter), and returns the policy.
//
// Clocks already running keep their planned instants until their conversation's next
// recompute: any change that moves a clock (a message, a status, priority or team change) or
// the clock's next warning or deadline job, whichever comes first, plans it again under the
// policy as it then is. A shortened target that already lies in the past breaches at that
// recompute. Breaches recorded before the change keep their instants.
//
// Bad input is an *inbox.ValidationError, a taken name or scope inbox.ErrConflict, an unknown
// id inbox.ErrNotFound.
func (s *SLA) UpdatePolicy(ctx context.Context, id int64, n NewPolicy) (Policy, error) {
	p, err := n.policy()
	if err != nil {
		return p, fmt.Errorf("workflow: policy: %w", err)
	}
	var out Policy
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := scanPolicy(tx.QueryRow(ctx, `SELECT `+policyCols+` FROM sla_policies p WHERE p.id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("workflow: policy %d: %w", id, inbox.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("workflow: policy %d: %w", id, err)
		}
		if out, err = updatePolicy(ctx, tx, id, p); err != nil {
			return err
		}
		data := map[string]any{"action": "updated", "name": out.Name}
		if old.Name != out.Name {
			data["old_name"] = old.Name
		}
		return audit(ctx, tx, s.store, s.by, inbox.AuditPolicyChanged, inbox.AuditTarget("sla_policy", id), data)
	})
	return out, err
}

// DeletePolicy deletes policy id. The conversations it covered fall to the next most specific
// policy (or none) at their next recompute, as UpdatePolicy describes; their stored clocks and
// past breaches keep their instants but no longer name a policy. An unknown id is
// inbox.ErrNotFound.
func (s *SLA) DeletePolicy(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `DELETE FROM sla_policies WHERE id = $1 RETURNING name`, id).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("workflow: policy %d: %w", id, inbox.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("workflow: delete policy %d: %w", id, err)
		}
		return audit(ctx, tx, s.store, s.by, inbox.AuditPolicyChanged, inbox.AuditTarget("sla_policy", id),
			map[string]any{"action": "deleted", "name": name})
	})
}

// updatePolicy stores p as policy id, with insertPolicy's errors.
func updatePolicy(ctx context.Context, tx pgx.Tx, id int64, p Policy) (Policy, error) {
	vals, err := policyValues(p)
	if err != nil {
		return p, err
	}
	out, err := scanPolicy(tx.QueryRow(ctx, `UPDATE sla_policies AS p SET name = $2, team_id = $3, priority = nullif($4, ''),
			first_response_secs = $5, next_response_secs = $6, resolution_secs = $7, calendar = $8, pause_pending = $9,
			warn_at = $10, escalate_team_id = $11, levels = $12, tier = nullif($13, '')
		WHERE p.id = $1 RETURNING `+policyCols, append([]any{id}, vals...)...))
	return out, policyErr(p, err)
}
