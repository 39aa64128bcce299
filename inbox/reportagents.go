package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// agentStats is each agent's work on the period's conversations: assigned now, replies, and the
// first responses, resolutions and handle times credited to them (first_response_by,
// resolved_by), live and from the rollups' agent rows. Handle time reads each live resolved
// conversation's last assignment to its resolver through conversation_events_conversation_idx.
func (sc Scope) agentStats(ctx context.Context, db reportDB, p reportPlan, f ReportFilter) ([]AgentStats, error) {
	by := map[int64]*AgentStats{}
	of := func(id int64) *AgentStats {
		if by[id] == nil {
			by[id] = &AgentStats{AgentID: id}
		}
		return by[id]
	}
	live := f.live(p)
	var a ReportArgs
	rows, err := db.Query(ctx, `SELECT agent_id, sum(assigned)::bigint, sum(replies)::bigint FROM (
			SELECT c.assignee_id AS agent_id, count(*) AS assigned, 0 AS replies FROM conversations c
			WHERE `+live.Where(sc.v, "c", &a)+` AND c.assignee_id IS NOT NULL GROUP BY 1
			UNION ALL
			SELECT m.author_agent_id, 0, count(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id
			WHERE `+live.Where(sc.v, "c", &a)+` AND m.direction = 'outbound' AND m.auto = '' AND m.author_agent_id IS NOT NULL
			GROUP BY 1
			UNION ALL
			SELECT r.assignee_id, sum(r.created), 0 FROM report_days r
			WHERE `+p.rollupWhere(f, sc.v, false, &a)+` AND r.assignee_id <> 0 GROUP BY 1
			UNION ALL
			SELECT r.agent_id, 0, sum(r.replies) FROM report_days r WHERE `+p.rollupWhere(f, sc.v, true, &a)+` GROUP BY 1) x
		GROUP BY 1`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	var id, assigned, replies int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &assigned, &replies}, func() error {
		if assigned > 0 || replies > 0 {
			s := of(id)
			s.Assigned, s.Replies = assigned, replies
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	// The durations credited to each agent: 1 first response, 2 resolution, 3 handle.
	dists := map[int64]*[3]dist{}
	distOf := func(id int64) *[3]dist {
		if dists[id] == nil {
			dists[id] = &[3]dist{}
		}
		return dists[id]
	}
	a = ReportArgs{}
	rows, err = db.Query(ctx, `SELECT c.first_response_by, 1, array_agg(extract(epoch FROM c.first_response_at - c.created_at)::float8)
			FROM conversations c WHERE `+live.Where(sc.v, "c", &a)+` AND c.first_response_by IS NOT NULL AND c.first_response_at IS NOT NULL
			GROUP BY 1
		UNION ALL
		SELECT c.resolved_by, 2, array_agg(extract(epoch FROM c.resolved_at - c.created_at)::float8)
			FROM conversations c WHERE `+live.Where(sc.v, "c", &a)+` AND c.resolved_by IS NOT NULL AND c.resolved_at IS NOT NULL
			GROUP BY 1
		UNION ALL
		SELECT c.resolved_by, 3, array_agg(extract(epoch FROM `+handleTimeSQL("c")+`)::float8)
			FROM conversations c WHERE `+live.Where(sc.v, "c", &a)+` AND c.resolved_by IS NOT NULL AND c.resolved_at IS NOT NULL
			GROUP BY 1`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	var m int
	var values []float64
	if _, err := pgx.ForEachRow(rows, []any{&id, &m, &values}, func() error {
		d := &distOf(id)[m-1]
		d.values = append(d.values, values...)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	if p.rolled() {
		a = ReportArgs{}
		rows, err = db.Query(ctx, `SELECT r.agent_id, 1, u.b, sum(u.c)::bigint FROM report_days r, unnest(r.fr_b, r.fr_c) AS u(b, c)
				WHERE `+p.histWhere(f, sc.v, true, &a)+` GROUP BY 1, 3
			UNION ALL
			SELECT r.agent_id, 2, u.b, sum(u.c)::bigint FROM report_days r, unnest(r.res_b, r.res_c) AS u(b, c)
				WHERE `+p.histWhere(f, sc.v, true, &a)+` GROUP BY 1, 3
			UNION ALL
			SELECT r.agent_id, 3, u.b, sum(u.c)::bigint FROM report_days r, unnest(r.handle_b, r.handle_c) AS u(b, c)
				WHERE `+p.histWhere(f, sc.v, true, &a)+` GROUP BY 1, 3`, a.List...)
		if err != nil {
			return nil, fmt.Errorf("inbox: report: agents: %w", err)
		}
		var bucket int16
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &m, &bucket, &n}, func() error {
			distOf(id)[m-1].add(bucket, n)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("inbox: report: agents: %w", err)
		}
	}
	for id, d := range dists {
		s := of(id)
		s.FirstResponse, s.Resolution, s.Handle = d[0].spread(), d[1].spread(), d[2].spread()
		s.Resolved = s.Resolution.N
	}
	return sc.listAgents(ctx, db, f, by)
}

// listAgents orders the agents with figures (by) and those to list without any (agentSeen) by
// what is assigned to them, most first, then name, and names them.
func (sc Scope) listAgents(ctx context.Context, db reportDB, f ReportFilter, by map[int64]*AgentStats) ([]AgentStats, error) {
	ids := make([]int64, 0, len(by))
	assigned := make([]int64, 0, len(by))
	for id, s := range by {
		ids = append(ids, id)
		assigned = append(assigned, s.Assigned)
	}
	var a ReportArgs
	idsArg, assignedArg := a.Arg(ids), a.Arg(assigned)
	rows, err := db.Query(ctx, `SELECT a.id, a.name FROM agents a
			LEFT JOIN unnest(`+idsArg+`::bigint[], `+assignedArg+`::bigint[]) AS x(id, assigned) ON x.id = a.id
		WHERE x.id IS NOT NULL OR (a.deactivated_at IS NULL AND `+sc.agentSeen(f, "a", &a)+`)
		ORDER BY coalesce(x.assigned, 0) DESC, a.name`, a.List...)
	if err != nil {
		return nil, fmt.Errorf("inbox: report: agents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgentStats, error) {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return AgentStats{}, err
		}
		s := AgentStats{AgentID: id}
		if by[id] != nil {
			s = *by[id]
		}
		s.Name = name
		return s, nil
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
