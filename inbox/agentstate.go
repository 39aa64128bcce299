package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// lockedAgent is an agent's row as a lifecycle change holds it.
type lockedAgent struct {
	email  string
	role   Role
	active bool
}

// lockAgentAndAdmins locks, in tx and in id order, the agent id and every active admin, so that
// two changes cannot together remove the last active admin. activeAdmins counts the active
// admins other than id.
func lockAgentAndAdmins(ctx context.Context, tx pgx.Tx, id int64) (lockedAgent, int, error) {
	rows, err := tx.Query(ctx, `SELECT id, email, role, deactivated_at IS NULL FROM agents
		WHERE id = $1 OR (role = 'admin' AND deactivated_at IS NULL) ORDER BY id FOR NO KEY UPDATE`, id)
	if err != nil {
		return lockedAgent{}, 0, fmt.Errorf("inbox: lock agent: %w", err)
	}
	defer rows.Close()
	var me lockedAgent
	found, others := false, 0
	for rows.Next() {
		var rowID int64
		var a lockedAgent
		if err := rows.Scan(&rowID, &a.email, &a.role, &a.active); err != nil {
			return lockedAgent{}, 0, fmt.Errorf("inbox: lock agent: %w", err)
		}
		if rowID == id {
			me, found = a, true
		} else {
			others++
		}
	}
	if err := rows.Err(); err != nil {
		return lockedAgent{}, 0, fmt.Errorf("inbox: lock agent: %w", err)
	}
	if !found {
		return lockedAgent{}, 0, fmt.Errorf("inbox: agent %d: %w", id, ErrNotFound)
	}
	return me, others, nil
}

// errLastAdmin refuses a change that would leave no active admin to undo it.
var errLastAdmin = fmt.Errorf("the last active admin cannot be deactivated or demoted; make another agent admin first: %w", ErrConflict)

// DeactivateAgent ends an agent's access at once, in one transaction: they are marked
// deactivated and offline, their web sessions are deleted, their open conversations (new, open,
// pending) go back unassigned to their team's queue (each announced, so the workflow enqueues
// the team's reassignment), EventAgentChanged tells every process to drop its cached tokens and
// close the agent's sockets, and the audit log records it. Their name, messages and resolved
// conversations stay. Deactivating oneself is a *ValidationError; the last active admin
// ErrConflict; an agent already deactivated is left as is. It returns how many conversations
// were unassigned.
func (s *Store) DeactivateAgent(ctx context.Context, agentID int64, by AuditActor) (int, error) {
	if agentID == by.AgentID {
		return 0, fmt.Errorf("inbox: deactivate: %w", invalid("agent", "you cannot deactivate yourself"))
	}
	freed := 0
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		me, admins, err := lockAgentAndAdmins(ctx, tx, agentID)
		if err != nil || !me.active {
			return err
		}
		if me.role == RoleAdmin && admins == 0 {
			return errLastAdmin
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET deactivated_at = $2, availability = 'offline', auto_away = false WHERE id = $1`,
			agentID, s.now()); err != nil {
			return fmt.Errorf("inbox: deactivate: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM web_sessions WHERE agent_id = $1`, agentID); err != nil {
			return fmt.Errorf("inbox: deactivate: sessions: %w", err)
		}
		if freed, err = s.unassignAllTx(ctx, tx, agentID, by); err != nil {
			return err
		}
		return s.announceAgentTx(ctx, tx, agentID, by, AuditAgentDeactivate,
			map[string]any{"email": me.email, "active": false, "unassigned": freed})
	})
	if err != nil {
		return 0, fmt.Errorf("inbox: deactivate agent %d: %w", agentID, err)
	}
	return freed, nil
}

// ActivateAgent lets a deactivated agent sign in and use their tokens again. They come back
// offline: they take conversations once they make themselves available. An active agent is left
// as is.
func (s *Store) ActivateAgent(ctx context.Context, agentID int64, by AuditActor) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var email string
		err := tx.QueryRow(ctx, `UPDATE agents SET deactivated_at = NULL WHERE id = $1 AND deactivated_at IS NOT NULL
			RETURNING email`, agentID).Scan(&email)
		if errors.Is(err, pgx.ErrNoRows) {
			_, err = s.GetAgent(ctx, agentID)
			return err
		}
		if err != nil {
			return err
		}
		return s.announceAgentTx(ctx, tx, agentID, by, AuditAgentActivate, map[string]any{"email": email, "active": true})
	})
	if err != nil {
		return fmt.Errorf("inbox: activate agent %d: %w", agentID, err)
	}
	return nil
}

// SetAgentRole changes an agent's role; the new role applies to every request and socket at
// once (EventAgentChanged). An admin cannot take away their own admin role, nor may the last
// active admin be demoted (ErrConflict).
func (s *Store) SetAgentRole(ctx context.Context, agentID int64, role Role, by AuditActor) error {
	if !role.Valid() {
		return fmt.Errorf("inbox: role: %w", invalid("role", "must be agent, supervisor or admin"))
	}
	if agentID == by.AgentID && role != RoleAdmin {
		return fmt.Errorf("inbox: role: %w", invalid("role", "you cannot take away your own admin role"))
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		me, admins, err := lockAgentAndAdmins(ctx, tx, agentID)
		if err != nil || me.role == role {
			return err
		}
		if me.role == RoleAdmin && me.active && admins == 0 {
			return errLastAdmin
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET role = $2 WHERE id = $1`, agentID, role); err != nil {
			return err
		}
		return s.announceAgentTx(ctx, tx, agentID, by, AuditAgentRole,
			map[string]any{"email": me.email, "from": string(me.role), "role": string(role)})
	})
	if err != nil {
		return fmt.Errorf("inbox: role of agent %d: %w", agentID, err)
	}
	return nil
}

// announceAgentTx publishes EventAgentChanged and records the audit event, both on tx.
func (s *Store) announceAgentTx(ctx context.Context, tx pgx.Tx, agentID int64, by AuditActor, kind string, data map[string]any) error {
	if err := s.Publish(ctx, tx, Event{Type: EventAgentChanged, AgentID: agentID, At: s.now()}); err != nil {
		return err
	}
	return s.RecordAuditTx(ctx, tx, by.Record(kind, AuditTarget("agent", agentID), data))
}

// unassignAllTx puts every new, open, pending or snoozed conversation of an agent back in its team's
// queue, announcing each (conversation.assigned with no assignee), which makes the workflow
// enqueue the team's assignment.
func (s *Store) unassignAllTx(ctx context.Context, tx pgx.Tx, agentID int64, by AuditActor) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM conversations WHERE assignee_id = $1
		AND status IN ('new', 'open', 'pending', 'snoozed') ORDER BY id`, agentID)
	if err != nil {
		return 0, fmt.Errorf("inbox: unassign: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("inbox: unassign: %w", err)
	}
	for _, id := range ids {
		if err := s.AssignTx(ctx, tx, id, 0, Actor{AgentID: by.AgentID}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
