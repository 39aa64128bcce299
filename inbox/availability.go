package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// EventAgentAvailability announces that an agent became available, away or offline: AgentID
// names the agent, Previous the old availability and Data["availability"] the new one. The
// workflow hands an agent who becomes available the waiting conversations of their teams.
const EventAgentAvailability = "agent.availability"

// Agent availabilities. Only available agents are assigned conversations.
const (
	AvailabilityAvailable = "available"
	AvailabilityAway      = "away"
	AvailabilityOffline   = "offline"
)

// SetAvailabilityTx is SetAvailability in the caller's transaction. Setting the availability
// an agent already has changes nothing and announces nothing.
func (s *Store) SetAvailabilityTx(ctx context.Context, tx pgx.Tx, agentID int64, availability string) error {
	switch availability {
	case AvailabilityAvailable, AvailabilityAway, AvailabilityOffline:
	default:
		return fmt.Errorf("inbox: availability: %w", invalid("availability", "must be available, away or offline"))
	}
	var previous string
	err := tx.QueryRow(ctx, `SELECT availability FROM agents WHERE id = $1 FOR NO KEY UPDATE`, agentID).Scan(&previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("inbox: availability: agent %d: %w", agentID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("inbox: availability: %w", err)
	}
	if previous == availability {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE agents SET availability = $2 WHERE id = $1`, agentID, availability); err != nil {
		return fmt.Errorf("inbox: availability: %w", err)
	}
	return s.Publish(ctx, tx, Event{Type: EventAgentAvailability, AgentID: agentID, Previous: previous,
		Data: map[string]any{"availability": availability}, At: s.now()})
}
