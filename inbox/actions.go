package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Actor is who makes a change: an agent, or the system (AgentID 0) for the workflow's own moves,
// or (Customer set, for the audit trail only) the customer, as when they answer a survey.
type Actor struct {
	AgentID  int64
	Customer bool
}

func (a Actor) kind() string {
	if a.Customer {
		return "customer"
	}
	if a.AgentID == 0 {
		return "system"
	}
	return "agent"
}

// lockConversation reads a conversation's state and holds its row until tx ends (FOR NO KEY
// UPDATE: see the lock order in the package doc).
func lockConversation(ctx context.Context, tx pgx.Tx, id int64) (convState, error) {
	c, err := scanConvState(tx.QueryRow(ctx, "SELECT "+convStateCols+" FROM conversations WHERE id = $1 FOR NO KEY UPDATE", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("inbox: conversation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("inbox: lock conversation %d: %w", id, err)
	}
	return c, nil
}

// SetStatus moves a conversation to status. Closed is final: a closed conversation refuses
// every change with ErrConflict (a customer's later message starts a linked conversation).
// An agent's resolve that lacks a required category or a complaint's resolution code is a
// *ValidationError naming it (see checkResolvable). Snoozed is not set here but by Snooze, with
// its instant; a snoozed conversation set to new, open or pending by an agent wakes
// (conversation.woke, WokeAgent).
func (s *Store) SetStatus(ctx context.Context, id int64, status Status, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetStatusTx(ctx, tx, id, status, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SetStatusTx is SetStatus in the caller's transaction.
func (s *Store) SetStatusTx(ctx context.Context, tx pgx.Tx, id int64, status Status, by Actor) error {
	if !status.Valid() {
		return fmt.Errorf("inbox: status: %w", invalid("status", "unknown status %q", status))
	}
	if status == StatusSnoozed {
		return fmt.Errorf("inbox: status: %w", invalid("status", "a conversation is snoozed until an instant: snooze it with until"))
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	if c.status == status {
		return nil
	}
	if c.status == StatusClosed {
		return fmt.Errorf("inbox: conversation %d: %w", id, ErrClosed)
	}
	if err := s.checkResolvable(ctx, tx, c, status, by); err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET status = $2,
			resolved_at = CASE WHEN $2 = 'resolved' THEN $3 WHEN $2 = 'closed' THEN resolved_at ELSE NULL END,
			resolved_by = CASE WHEN $2 = 'resolved' THEN $4 WHEN $2 = 'closed' THEN resolved_by ELSE NULL END,
			closed_at = CASE WHEN $2 = 'closed' THEN $3 ELSE NULL END,
			waiting_since = CASE WHEN $2 IN ('resolved', 'closed') THEN NULL ELSE waiting_since END,
			snoozed_until = NULL,
			last_activity_at = greatest(last_activity_at, $3)
		WHERE id = $1`, id, status, now, nonZero(by.AgentID)); err != nil {
		return fmt.Errorf("inbox: status: %w", err)
	}
	previous := c.status
	c.status = status
	e := c.event(EventConversationStatus, now)
	e.Previous, e.AgentID = string(previous), by.AgentID
	data := map[string]any{"from": previous, "to": status}
	wakes := previous == StatusSnoozed && by.AgentID != 0 && status != StatusResolved && status != StatusClosed
	if wakes {
		data["woke"] = WokeAgent
	}
	if err := s.record(ctx, tx, c, by, "status", data, e); err != nil {
		return err
	}
	if wakes {
		w := c.woke(WokeAgent, now)
		w.AgentID = by.AgentID
		return s.Publish(ctx, tx, w)
	}
	return nil
}

// Assign gives a conversation to an agent, or takes it back when agentID is 0.
func (s *Store) Assign(ctx context.Context, id, agentID int64, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.AssignTx(ctx, tx, id, agentID, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// AssignTx is Assign in the caller's transaction.
func (s *Store) AssignTx(ctx context.Context, tx pgx.Tx, id, agentID int64, by Actor) error {
	return s.assignTx(ctx, tx, id, agentID, by, "")
}

// assignTx is AssignTx; via, when set, is kept in the audit entry to say how the system chose
// the agent ("round_robin").
func (s *Store) assignTx(ctx context.Context, tx pgx.Tx, id, agentID int64, by Actor, via string) error {
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	if c.assigneeID == agentID {
		return nil
	}
	if err := checkAssignee(ctx, tx, agentID); err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET assignee_id = $2 WHERE id = $1`, id, nonZero(agentID)); err != nil {
		return fmt.Errorf("inbox: assign: %w", err)
	}
	previous := c.assigneeID
	c.assigneeID = agentID
	e := c.event(EventConversationAssigned, now)
	e.AgentID = by.AgentID
	e.Data = map[string]any{"from": previous}
	data := map[string]any{"from": previous, "to": agentID}
	if via != "" {
		data["via"] = via
	}
	if err := s.record(ctx, tx, c, by, "assign", data, e); err != nil {
		return err
	}
	if agentID == 0 || agentID == by.AgentID {
		return nil // taking a conversation oneself needs no notice
	}
	return s.NotifyTx(ctx, tx, Notice{AgentID: agentID, Kind: NotifyAssigned, ConversationID: id, ActorID: by.AgentID})
}

// checkAssignee answers a *ValidationError unless agentID is 0 (nobody) or an active agent.
func checkAssignee(ctx context.Context, db rowQuerier, agentID int64) error {
	if agentID == 0 {
		return nil
	}
	var exists bool
	if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM agents WHERE id = $1 AND deactivated_at IS NULL)", agentID).Scan(&exists); err != nil {
		return fmt.Errorf("inbox: assign: %w", err)
	}
	if !exists {
		return fmt.Errorf("inbox: assign: %w", invalid("agent_id", "no active agent %d", agentID))
	}
	return nil
}

// SetTeamTx moves a conversation to a team (0: none) in the caller's transaction.
func (s *Store) SetTeamTx(ctx context.Context, tx pgx.Tx, id, teamID int64, by Actor) error {
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	if c.teamID == teamID {
		return nil
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET team_id = $2 WHERE id = $1`, id, nonZero(teamID)); err != nil {
		return fmt.Errorf("inbox: team: %w", notFoundFK(err, "team_id"))
	}
	previous := c.teamID
	c.teamID = teamID
	e := c.event(EventConversationTeam, now)
	e.AgentID = by.AgentID
	e.Data = map[string]any{"from": previous}
	return s.record(ctx, tx, c, by, "team", map[string]any{"from": previous, "to": teamID}, e)
}

// SetPriority changes a conversation's priority.
func (s *Store) SetPriority(ctx context.Context, id int64, p Priority, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetPriorityTx(ctx, tx, id, p, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SetPriorityTx is SetPriority in the caller's transaction.
func (s *Store) SetPriorityTx(ctx context.Context, tx pgx.Tx, id int64, p Priority, by Actor) error {
	if !p.Valid() {
		return fmt.Errorf("inbox: priority: %w", invalid("priority", "must be low, normal, high or urgent, not %q", p))
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	if c.priority == p {
		return nil
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET priority = $2 WHERE id = $1`, id, p); err != nil {
		return fmt.Errorf("inbox: priority: %w", err)
	}
	previous := c.priority
	c.priority = p
	e := c.event(EventConversationPriority, now)
	e.AgentID, e.Previous = by.AgentID, string(previous)
	return s.record(ctx, tx, c, by, "priority", map[string]any{"from": previous, "to": p}, e)
}

// SetTags adds and removes tags (lower-cased, trimmed) and returns the conversation.
func (s *Store) SetTags(ctx context.Context, id int64, add, remove []string, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetTagsTx(ctx, tx, id, add, remove, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SetTagsTx is SetTags in the caller's transaction.
func (s *Store) SetTagsTx(ctx context.Context, tx pgx.Tx, id int64, add, remove []string, by Actor) error {
	add, err := cleanTags(add)
	if err != nil {
		return err
	}
	remove, err = cleanTags(remove)
	if err != nil {
		return err
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	var tags []string
	if err := tx.QueryRow(ctx, `UPDATE conversations SET tags = (
			SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM unnest(tags || $2::text[]) t WHERE NOT t = ANY($3))
		WHERE id = $1 RETURNING tags`, id, add, remove).Scan(&tags); err != nil {
		return fmt.Errorf("inbox: tags: %w", err)
	}
	if len(tags) > MaxTags {
		return fmt.Errorf("inbox: tags: %w", invalid("tags", "a conversation has at most %d tags; this change would give it %d", MaxTags, len(tags)))
	}
	e := c.event(EventConversationTags, s.now())
	e.AgentID = by.AgentID
	e.Data = map[string]any{"tags": tags}
	return s.record(ctx, tx, c, by, "tags", map[string]any{"added": add, "removed": remove}, e)
}

// Limits on tags, which agents, API callers and routing rules set.
const (
	MaxTagChars = 64
	MaxTags     = 50 // on one conversation
)

func cleanTags(tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, fmt.Errorf("inbox: tags: %w", invalid("tags", "at most %d tags at once, not %d", MaxTags, len(tags)))
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if err := CleanAgentText("tags", t); err != nil {
			return nil, fmt.Errorf("inbox: tags: %w", err)
		}
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || utf8.RuneCountInString(t) > MaxTagChars || strings.ContainsAny(t, ",\n") {
			return nil, fmt.Errorf("inbox: tags: %w", invalid("tags", "a tag is 1-%d characters without commas: %q", MaxTagChars, CutRunes(t, MaxTagChars)+"…"))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// record writes the audit entry of a change and publishes its event, in tx.
func (s *Store) record(ctx context.Context, tx pgx.Tx, c convState, by Actor, kind string, data map[string]any, e Event) error {
	if err := audit(ctx, tx, auditEntry{conversationID: &c.id, contactID: &c.contactID, agentID: nonZero(by.AgentID),
		actor: by.kind(), kind: kind, data: data, at: e.At}); err != nil {
		return err
	}
	return s.Publish(ctx, tx, e)
}
