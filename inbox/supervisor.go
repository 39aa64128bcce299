package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// TeamSupervisorTx returns, on tx, who answers for team teamID (0: no team) when a customer is
// unhappy: an active member of the team with the supervisor role; failing one, any active
// supervisor; failing that, any active admin; 0 when there is nobody. Among equals the one
// with the lowest id is chosen, so the answer is stable. Availability is not considered: a
// follow-up waits for its supervisor's return rather than going to a stranger.
func (s *Store) TeamSupervisorTx(ctx context.Context, tx pgx.Tx, teamID int64) (int64, error) {
	var agentID int64
	err := tx.QueryRow(ctx, `SELECT a.id FROM agents a
		WHERE a.deactivated_at IS NULL AND a.role IN ('supervisor', 'admin')
		ORDER BY NOT EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = $1 AND m.agent_id = a.id
				AND a.role = 'supervisor'),
			a.role = 'admin', a.id
		LIMIT 1`, teamID).Scan(&agentID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("inbox: team supervisor: %w", err)
	}
	return agentID, nil
}
