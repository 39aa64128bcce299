package inbox

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// OnlineWindow is how recent an agent's last heartbeat (TouchOnline) must be for them to count
// as online. An open tab beats every 30 s and a dead socket is dropped within a minute, so an
// agent who closed their last tab leaves the count within about this long.
const OnlineWindow = 90 * time.Second

// Live is the present moment as a supervisor's dashboard shows it, of the conversations (and
// the agents) a viewer may see.
type Live struct {
	Open       int64 // active conversations: new, open or pending
	Unassigned int64 // active conversations assigned to nobody
	Snoozed    int64 // conversations set aside until a time (not active until they wake)
	// Longest is the active conversation whose customer has waited longest for an agent's reply;
	// nil when nobody waits.
	Longest *Waiting
	// Online is the number of agents with an open tab; Available, those of them marked available.
	Online    int64
	Available int64
	// Agents are those agents one by one (online or not), available first (agentStates).
	Agents []AgentState
}

// Waiting is a conversation whose customer awaits an agent's reply, since Since.
type Waiting struct {
	ConversationID int64
	Subject        string
	Since          time.Time
}

// TouchOnline records a heartbeat of one of the agent's open tabs, at the store's clock.
func (s *Store) TouchOnline(ctx context.Context, agentID int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE agents SET online_at = $2 WHERE id = $1`, agentID, s.now()); err != nil {
		return fmt.Errorf("inbox: agent %d online: %w", agentID, err)
	}
	return nil
}

// Live returns the live figures of what the viewer may see: the conversations by the visibility
// rule, the agents who share a team with them (every agent for a viewer who sees all). The open
// and unassigned counts are OpenNow's (the daily rollups); the longest wait reads
// conversations_waiting_since_idx (longestWaitSQL), the snoozed count conversations_status_idx.
func (sc Scope) Live(ctx context.Context) (Live, error) {
	var args []any
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	convs, agents := "true", "true"
	if !sc.v.All {
		convs = sc.v.where("c", arg)
		agents = "(a.id = " + arg(sc.v.AgentID) + " OR EXISTS (SELECT 1 FROM team_members m WHERE m.agent_id = a.id AND m.team_id = ANY(" +
			arg(append([]int64{}, sc.v.TeamIDs...)) + "::bigint[])))"
	}
	since := arg(sc.s.now().Add(-OnlineWindow))
	var l Live
	var id *int64
	var subject *string
	var waiting *time.Time
	online := `FROM agents a WHERE a.online_at > ` + since + ` AND a.deactivated_at IS NULL AND ` + agents
	err := sc.s.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM conversations c WHERE c.status = 'snoozed' AND `+convs+`),
			(SELECT count(*) `+online+`),
			(SELECT count(*) `+online+` AND a.availability = 'available'),
			w.id, w.subject, w.waiting_since
		FROM (SELECT) one
		LEFT JOIN LATERAL (`+sc.longestWaitSQL(arg)+`) w ON true`, args...).
		Scan(&l.Snoozed, &l.Online, &l.Available, &id, &subject, &waiting)
	if err != nil {
		return Live{}, fmt.Errorf("inbox: live figures: %w", err)
	}
	if l.Open, l.Unassigned, err = sc.OpenNow(ctx, ReportFilter{}); err != nil {
		return Live{}, err
	}
	if id != nil {
		l.Longest = &Waiting{ConversationID: *id, Subject: *subject, Since: *waiting}
	}
	if l.Agents, err = sc.agentStates(ctx); err != nil {
		return Live{}, err
	}
	return l, nil
}

// longestWaitSQL is the active conversation the viewer may see whose customer has waited longest
// (id, subject, waiting_since; none when nobody waits). For a viewer who sees everything it is
// the first entry of conversations_waiting_since_idx; otherwise the oldest of the first entries
// of each of their teams (conversations_waiting_team_idx), of what is assigned to them
// (conversations_waiting_assignee_idx) and, for the default queue, of no team.
func (sc Scope) longestWaitSQL(arg func(any) string) string {
	const waiting = `c.waiting_since IS NOT NULL AND c.status IN ('new', 'open', 'pending')`
	const cols = `c.id, c.subject, c.waiting_since`
	if sc.v.All {
		return `SELECT ` + cols + ` FROM conversations c WHERE ` + waiting + ` ORDER BY c.waiting_since, c.id LIMIT 1`
	}
	q := `SELECT * FROM (
		SELECT f.* FROM unnest(` + arg(append([]int64{}, sc.v.TeamIDs...)) + `::bigint[]) t(id)
			CROSS JOIN LATERAL (SELECT ` + cols + ` FROM conversations c WHERE c.team_id = t.id AND ` + waiting + `
				ORDER BY c.waiting_since, c.id LIMIT 1) f
		UNION ALL
		(SELECT ` + cols + ` FROM conversations c WHERE c.assignee_id = ` + arg(sc.v.AgentID) + ` AND ` + waiting + `
			ORDER BY c.waiting_since, c.id LIMIT 1)`
	if sc.v.DefaultQueue {
		q += `
		UNION ALL
		(SELECT ` + cols + ` FROM conversations c WHERE c.team_id IS NULL AND ` + waiting + `
			ORDER BY c.waiting_since, c.id LIMIT 1)`
	}
	return q + `) u ORDER BY u.waiting_since, u.id LIMIT 1`
}
