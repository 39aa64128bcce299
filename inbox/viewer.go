package inbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
)

// Viewer is who is looking: the one visibility rule that every read and every action of the
// web pages, the API and the live sockets passes through (Store.As). The rule:
//   - supervisors, admins and the system (All) see every conversation;
//   - an agent sees the conversations assigned to them and those of their teams;
//   - a conversation of no team (no routing rule has sent it to one yet, or none matched) is in
//     the default queue: besides supervisors, admins and its assignee, only the members of a
//     team marked as the default queue (Team.DefaultQueue) see it.
//
// A contact is visible when one of their conversations is; an attachment when its
// conversation is. Whatever a viewer may not see does not exist for them (ErrNotFound).
type Viewer struct {
	// All sees everything: supervisors, admins and the system.
	All bool
	// AgentID is the agent looking; they see what is assigned to them.
	AgentID int64
	// TeamIDs are the agent's teams; they see those teams' conversations.
	TeamIDs []int64
	// DefaultQueue is set when one of the agent's teams is the default queue: they also see the
	// conversations of no team.
	DefaultQueue bool
}

// Everyone is the system's viewer: it sees every conversation.
func Everyone() Viewer { return Viewer{All: true} }

// Sees reports whether v may see a conversation of team teamID (0: no team) assigned to
// assigneeID (0: nobody). Events carry both fields, so the sockets filter with it.
func (v Viewer) Sees(teamID, assigneeID int64) bool {
	switch {
	case v.All:
		return true
	case assigneeID != 0 && assigneeID == v.AgentID:
		return true
	case teamID == 0:
		return v.DefaultQueue
	}
	return slices.Contains(v.TeamIDs, teamID)
}

// SeesConversation is Sees for a conversation.
func (v Viewer) SeesConversation(c Conversation) bool {
	return v.Sees(deref(c.TeamID), deref(c.AssigneeID))
}

// where is the rule as one SQL condition on the conversations aliased as alias; arg binds a
// parameter and returns its placeholder. It must not be called for All.
func (v Viewer) where(alias string, arg func(any) string) string {
	cond := alias + ".assignee_id = " + arg(v.AgentID) + " OR " + alias + ".team_id = ANY(" +
		arg(append([]int64{}, v.TeamIDs...)) + "::bigint[])"
	if v.DefaultQueue {
		cond += " OR " + alias + ".team_id IS NULL"
	}
	return "(" + cond + ")"
}

// reachKeys is the rule in the keys of contacts.reach (migration 174): a contact one of whose
// conversations the viewer may see holds at least one of them.
func (v Viewer) reachKeys() []string {
	keys := []string{"a:" + strconv.FormatInt(v.AgentID, 10)}
	for _, t := range v.TeamIDs {
		keys = append(keys, "t:"+strconv.FormatInt(t, 10))
	}
	if v.DefaultQueue {
		keys = append(keys, "t:")
	}
	return keys
}

// Where is the rule as one SQL condition on the conversations aliased as alias, for the
// queries of other packages that read conversations beside their own tables (workflow's
// feedback list); arg binds a parameter and returns its placeholder. For All it is "true".
func (v Viewer) Where(alias string, arg func(any) string) string {
	if v.All {
		return "true"
	}
	return v.where(alias, arg)
}

// ViewerOf returns the viewer of an agent: All for supervisors and admins (no query: every API
// call of theirs passes here); for agents, their teams and whether one of them is the default
// queue, in one query.
func (s *Store) ViewerOf(ctx context.Context, a Agent) (Viewer, error) {
	if a.Role.AtLeast(RoleSupervisor) {
		return Viewer{AgentID: a.ID, All: true}, nil
	}
	v := Viewer{AgentID: a.ID}
	err := s.pool.QueryRow(ctx, `SELECT coalesce(array_agg(t.id ORDER BY t.id), '{}'), coalesce(bool_or(t.default_queue), false)
		FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.agent_id = $1`, a.ID).Scan(&v.TeamIDs, &v.DefaultQueue)
	if err != nil {
		return Viewer{}, fmt.Errorf("inbox: viewer of agent %d: %w", a.ID, err)
	}
	return v, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
