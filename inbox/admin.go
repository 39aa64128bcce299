package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AddTeamMember puts an agent in a team; already a member is fine. An unknown team or agent is
// a *ValidationError. What the agent may see changes (Viewer), which EventAgentChanged tells
// every process, so that their open sockets reopen with it.
func (s *Store) AddTeamMember(ctx context.Context, teamID, agentID int64) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return s.AddTeamMemberTx(ctx, tx, teamID, agentID) })
}

// AddTeamMemberTx is AddTeamMember in the caller's transaction.
func (s *Store) AddTeamMemberTx(ctx context.Context, tx pgx.Tx, teamID, agentID int64) error {
	if err := addTeamMember(ctx, tx, teamID, agentID); err != nil {
		return err
	}
	return s.scopeChangedTx(ctx, tx, agentID)
}

// scopeChangedTx announces, on tx, that what the agents may see changed (EventAgentChanged).
func (s *Store) scopeChangedTx(ctx context.Context, tx pgx.Tx, agentIDs ...int64) error {
	events := make([]Event, len(agentIDs))
	for i, id := range agentIDs {
		events[i] = Event{Type: EventAgentChanged, AgentID: id, At: s.now()}
	}
	return s.Publish(ctx, tx, events...)
}

func addTeamMember(ctx context.Context, db execer, teamID, agentID int64) error {
	_, err := db.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, agentID)
	if err != nil {
		return fmt.Errorf("inbox: team member: %w", notFoundFK(err, "team or agent"))
	}
	return nil
}

// RemoveTeamMember takes an agent out of a team; not a member is fine. Like AddTeamMember, it
// announces EventAgentChanged.
func (s *Store) RemoveTeamMember(ctx context.Context, teamID, agentID int64) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return s.RemoveTeamMemberTx(ctx, tx, teamID, agentID) })
}

// RemoveTeamMemberTx is RemoveTeamMember in the caller's transaction.
func (s *Store) RemoveTeamMemberTx(ctx context.Context, tx pgx.Tx, teamID, agentID int64) error {
	if err := removeTeamMember(ctx, tx, teamID, agentID); err != nil {
		return err
	}
	return s.scopeChangedTx(ctx, tx, agentID)
}

func removeTeamMember(ctx context.Context, db execer, teamID, agentID int64) error {
	if _, err := db.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1 AND agent_id = $2`, teamID, agentID); err != nil {
		return fmt.Errorf("inbox: team member: %w", err)
	}
	return nil
}

// HasSecrets reports whether the inbox holds sealed credentials (never what they are).
func (in Inbox) HasSecrets() bool { return len(in.sealed) > 0 }
