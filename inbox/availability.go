package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EventAgentAvailability announces that an agent became available, away or offline: AgentID
// names the agent, Previous the old availability and Data["availability"] the new one;
// Data["automatic"] is true when the system made the change (auto-away and the return from it).
// The workflow hands an agent who becomes available the waiting conversations of their teams.
const EventAgentAvailability = "agent.availability"

// AuditAvailability records a change of an agent's availability, theirs or the system's.
const AuditAvailability = "agent.availability"

// Agent availabilities. Only available agents are assigned conversations.
const (
	AvailabilityAvailable = "available"
	AvailabilityAway      = "away"
	AvailabilityOffline   = "offline"
)

// SetAvailabilityTx is SetAvailability in the caller's transaction: the agent's own choice,
// which ends an automatic away (AutoAway) for good. Setting the availability an agent already
// has changes nothing and announces nothing. It returns ErrInvalid for an unknown availability
// and ErrNotFound for an unknown agent.
func (s *Store) SetAvailabilityTx(ctx context.Context, tx pgx.Tx, agentID int64, availability string) error {
	switch availability {
	case AvailabilityAvailable, AvailabilityAway, AvailabilityOffline:
	default:
		return fmt.Errorf("inbox: availability: %w", invalid("availability", "must be available, away or offline"))
	}
	st, err := lockAvailability(ctx, tx, agentID)
	if err != nil {
		return err
	}
	if st.availability == availability {
		if st.auto {
			// The agent confirms an away the system chose: it is theirs now, kept on return.
			if _, err := tx.Exec(ctx, `UPDATE agents SET auto_away = false WHERE id = $1`, agentID); err != nil {
				return fmt.Errorf("inbox: availability: %w", err)
			}
		}
		return nil
	}
	return s.changeAvailability(ctx, tx, st, availability, false)
}

// AutoAway marks the agent away, as the system, when they are available and no tab of theirs
// has beaten (TouchOnline) for after: their last heartbeat is older than now minus after. A
// manual away or offline, a deactivated agent or an unknown one is left as it is (wait 0, no
// error). When a tab beat more recently, it changes nothing and returns how long to wait before
// looking again (the last beat plus after, minus now). The change is audited and announced
// (Data["automatic"] true) in one transaction; ReturnFromAway undoes it.
func (s *Store) AutoAway(ctx context.Context, agentID int64, after time.Duration) (wait time.Duration, err error) {
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		wait = 0
		st, err := lockAvailability(ctx, tx, agentID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if st.availability != AvailabilityAvailable || !st.active {
			return nil
		}
		if st.onlineAt != nil {
			if w := st.onlineAt.Add(after).Sub(s.now()); w > 0 {
				wait = w
				return nil
			}
		}
		return s.changeAvailability(ctx, tx, st, AvailabilityAway, true)
	})
	return wait, err
}

// ReturnFromAway makes the agent available again when their away was automatic (AutoAway): an
// agent who opens a tab is back. A manual away or offline is left as it is. It reports whether
// it changed anything; the change is audited and announced in one transaction.
func (s *Store) ReturnFromAway(ctx context.Context, agentID int64) (bool, error) {
	changed := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		changed = false
		st, err := lockAvailability(ctx, tx, agentID)
		if err != nil {
			return err
		}
		if st.availability != AvailabilityAway || !st.auto || !st.active {
			return nil
		}
		changed = true
		return s.changeAvailability(ctx, tx, st, AvailabilityAvailable, true)
	})
	return changed, err
}

// availabilityState is an agent's availability row, locked.
type availabilityState struct {
	id           int64
	email        string
	availability string
	auto         bool
	active       bool
	onlineAt     *time.Time
}

// lockAvailability locks the agent's row (agents come fifth in the lock order: see doc.go).
func lockAvailability(ctx context.Context, tx pgx.Tx, agentID int64) (availabilityState, error) {
	st := availabilityState{id: agentID}
	err := tx.QueryRow(ctx, `SELECT email, availability, auto_away, deactivated_at IS NULL, online_at
		FROM agents WHERE id = $1 FOR NO KEY UPDATE`, agentID).
		Scan(&st.email, &st.availability, &st.auto, &st.active, &st.onlineAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("inbox: availability: agent %d: %w", agentID, ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("inbox: availability: %w", err)
	}
	return st, nil
}

// changeAvailability writes the new availability (auto_away true only for an automatic away),
// records it in the audit log and announces it.
func (s *Store) changeAvailability(ctx context.Context, tx pgx.Tx, st availabilityState, to string, automatic bool) error {
	auto := automatic && to == AvailabilityAway
	if _, err := tx.Exec(ctx, `UPDATE agents SET availability = $2, auto_away = $3 WHERE id = $1`, st.id, to, auto); err != nil {
		return fmt.Errorf("inbox: availability: %w", err)
	}
	rec := AuditRecord{Kind: AuditAvailability, ActorID: st.id, Actor: st.email, Target: AuditTarget("agent", st.id),
		Data: map[string]any{"from": st.availability, "to": to}}
	if automatic {
		rec.ActorID, rec.Actor = 0, "system"
		rec.Data["automatic"] = true
	}
	if err := s.RecordAuditTx(ctx, tx, rec); err != nil {
		return fmt.Errorf("inbox: availability: %w", err)
	}
	data := map[string]any{"availability": to}
	if automatic {
		data["automatic"] = true
	}
	return s.Publish(ctx, tx, Event{Type: EventAgentAvailability, AgentID: st.id, Previous: st.availability,
		Data: data, At: s.now()})
}
