package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// AgentProfile is what an admin may change of an agent besides role and status: the name
// shown to colleagues and customers, and how many open conversations they take at once.
type AgentProfile struct {
	Name     string
	Capacity int // 1-1000
}

// SetAgentProfile changes an agent's name and capacity, records the change in the audit log by
// by (with the old values) and announces it (EventAgentChanged), all in one transaction. An empty
// name or a capacity outside 1-1000 is a *ValidationError, an unknown agent ErrNotFound. The
// email stays: it is how the agent signs in.
func (s *Store) SetAgentProfile(ctx context.Context, agentID int64, p AgentProfile, by AuditActor) error {
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.Name == "":
		return fmt.Errorf("inbox: agent: %w", invalid("name", "is required"))
	case len(p.Name) > 200:
		return fmt.Errorf("inbox: agent: %w", invalid("name", "at most 200 characters"))
	case p.Capacity < 1 || p.Capacity > 1000:
		return fmt.Errorf("inbox: agent: %w", invalid("capacity", "must be between 1 and 1000"))
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var old AgentProfile
		var email string
		err := tx.QueryRow(ctx, `SELECT name, capacity, email FROM agents WHERE id = $1 FOR UPDATE`, agentID).
			Scan(&old.Name, &old.Capacity, &email)
		if err != nil {
			return notFound(err)
		}
		if old == p {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET name = $2, capacity = $3 WHERE id = $1`, agentID, p.Name, p.Capacity); err != nil {
			return err
		}
		return s.announceAgentTx(ctx, tx, agentID, by, AuditAgentChanged, map[string]any{"email": email,
			"old_name": old.Name, "name": p.Name, "old_capacity": old.Capacity, "capacity": p.Capacity})
	})
	if err != nil {
		return fmt.Errorf("inbox: agent %d: %w", agentID, err)
	}
	return nil
}
