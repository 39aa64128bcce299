package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// agentStats is each agent's work on the period's conversations: assigned now, replies, and the
// first responses, resolutions and handle times credited to them (first_response_by,
// resolved_by). Handle time reads each resolved conversation's last assignment to its resolver
// through conversation_events_conversation_idx.
func (sc Scope) agentStats(ctx context.Context, f ReportFilter) ([]AgentStats, error) {
	var a ReportArgs
	rows, err := sc.s.pool.Query(ctx, `WITH conv AS MATERIALIZED (
			SELECT c.id, c.assignee_id, c.first_response_by, c.resolved_by, c.created_at, c.first_response_at, c.resolved_at
			FROM conversations c WHERE `+f.Where(sc.v, "c", &a)+`),
		assigned AS (
			SELECT assignee_id AS agent_id, count(*) AS n FROM conv WHERE assignee_id IS NOT NULL GROUP BY 1),
		first AS (
			SELECT first_response_by AS agent_id, `+spreadSQL("first_response_at - created_at", "fr")+`
			FROM conv WHERE first_response_by IS NOT NULL AND first_response_at IS NOT NULL GROUP BY 1),
		handled AS (
			SELECT conv.resolved_by, conv.resolved_at - conv.created_at AS resolution,
				conv.resolved_at - coalesce(h.at, conv.created_at) AS handle
			FROM conv LEFT JOIN LATERAL (SELECT e.created_at AS at FROM conversation_events e
				WHERE e.conversation_id = conv.id AND e.kind = 'assign' AND e.data->>'to' = conv.resolved_by::text
					AND e.created_at <= conv.resolved_at
				ORDER BY e.id DESC LIMIT 1) h ON true
			WHERE conv.resolved_by IS NOT NULL AND conv.resolved_at IS NOT NULL),
		resolved AS (
			SELECT resolved_by AS agent_id, `+spreadSQL("resolution", "res")+`, `+spreadSQL("handle", "h")+`
			FROM handled GROUP BY 1),
		replies AS (
			SELECT m.author_agent_id AS agent_id, count(*) AS n
			FROM conv JOIN messages m ON m.conversation_id = conv.id
			WHERE m.direction = 'outbound' AND m.auto = '' AND m.author_agent_id IS NOT NULL
			GROUP BY m.author_agent_id)
		SELECT a.id, a.name, coalesce(assigned.n, 0), coalesce(replies.n, 0),
			coalesce(first.fr_n, 0), first.fr_median, first.fr_p90,
			coalesce(resolved.res_n, 0), resolved.res_median, resolved.res_p90,
			coalesce(resolved.h_n, 0), resolved.h_median, resolved.h_p90
		FROM agents a LEFT JOIN assigned ON assigned.agent_id = a.id LEFT JOIN first ON first.agent_id = a.id
			LEFT JOIN resolved ON resolved.agent_id = a.id LEFT JOIN replies ON replies.agent_id = a.id
		WHERE assigned.n IS NOT NULL OR first.fr_n IS NOT NULL OR resolved.res_n IS NOT NULL OR replies.n IS NOT NULL
			OR (a.deactivated_at IS NULL AND `+sc.agentSeen(f, "a", &a)+`)
		ORDER BY coalesce(assigned.n, 0) DESC, a.name`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgentStats, error) {
		var s AgentStats
		dest := []any{&s.AgentID, &s.Name, &s.Assigned, &s.Replies}
		dest = append(dest, spreadDest(&s.FirstResponse)...)
		dest = append(dest, spreadDest(&s.Resolution)...)
		dest = append(dest, spreadDest(&s.Handle)...)
		err := r.Scan(dest...)
		s.Resolved = s.Resolution.N
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	return out, nil
}

// agentSeen is the condition for listing an agent who did nothing in the period: the filter's
// agent, else every agent for a viewer who sees all, else the members of the viewer's teams
// (of the filter's team when one is chosen).
func (sc Scope) agentSeen(f ReportFilter, alias string, a *ReportArgs) string {
	if f.AgentID != 0 {
		return alias + ".id = " + a.Arg(f.AgentID)
	}
	teams := "true"
	if f.TeamID != 0 {
		teams = "m.team_id = " + a.Arg(f.TeamID)
	}
	if sc.v.All {
		if f.TeamID == 0 {
			return "true"
		}
		return "EXISTS (SELECT 1 FROM team_members m WHERE m.agent_id = " + alias + ".id AND " + teams + ")"
	}
	return "EXISTS (SELECT 1 FROM team_members m WHERE m.agent_id = " + alias + ".id AND " + teams +
		" AND m.team_id = ANY(" + a.Arg(append([]int64{}, sc.v.TeamIDs...)) + "::bigint[]))"
}
