package inbox

import (
	"context"
	"fmt"
)

// liveAgentsMax bounds the dashboard's list of agents.
const liveAgentsMax = 200

// AgentState is an agent as the supervisor's dashboard lists them: their availability, whether
// it was set automatically (the automatic away), and whether a tab of theirs is open.
type AgentState struct {
	ID           int64
	Name         string
	Availability string
	Automatic    bool
	Online       bool
}

// agentStates lists the active agents the viewer's live figures cover (those who share a team
// with them; all for a viewer who sees everything), available first, then away, then offline,
// those with an open tab first, then by name; at most liveAgentsMax.
func (sc Scope) agentStates(ctx context.Context) ([]AgentState, error) {
	args := []any{sc.s.now().Add(-OnlineWindow), liveAgentsMax}
	where := ""
	if !sc.v.All {
		args = append(args, sc.v.AgentID, append([]int64{}, sc.v.TeamIDs...))
		where = ` AND (a.id = $3 OR EXISTS (SELECT 1 FROM team_members m WHERE m.agent_id = a.id AND m.team_id = ANY($4::bigint[])))`
	}
	rows, err := sc.s.pool.Query(ctx, `SELECT a.id, a.name, a.availability, a.auto_away, coalesce(a.online_at > $1, false)
		FROM agents a WHERE a.deactivated_at IS NULL`+where+`
		ORDER BY array_position(ARRAY['available', 'away', 'offline'], a.availability), a.online_at > $1 DESC NULLS LAST, a.name, a.id LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: live agents: %w", err)
	}
	defer rows.Close()
	var out []AgentState
	for rows.Next() {
		var a AgentState
		if err := rows.Scan(&a.ID, &a.Name, &a.Availability, &a.Automatic, &a.Online); err != nil {
			return nil, fmt.Errorf("inbox: live agents: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: live agents: %w", err)
	}
	return out, nil
}
