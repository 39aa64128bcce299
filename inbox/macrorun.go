package inbox

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// MacroError is a macro's refusal: the action (Index, from 0, and its Type) that was refused and
// why (Err: a *ValidationError, ErrClosed, ErrConflict...). Nothing of the macro was applied.
type MacroError struct {
	Index int
	Type  string
	Err   error
}

// Error implements error.
func (e *MacroError) Error() string {
	return fmt.Sprintf("action %d (%s): %v", e.Index+1, e.Type, e.Err)
}

// Unwrap returns the refusal.
func (e *MacroError) Unwrap() error { return e.Err }

// RunMacro applies macro macroID to conversation id, as agent by, in ONE transaction: each action
// in order through the single action's own Tx method, with its rules, audit entry and events, the
// reply and note texts with their placeholders filled (FillPlaceholders: contact.name,
// contact.email, agent.name, conversation.id). A macro the agent may not use (another agent's
// personal one) or a conversation the viewer may not see is ErrNotFound; an action refused (a
// resolve lacking its required category, a closed conversation) is a *MacroError naming it, and
// nothing of the macro is applied.
func (sc Scope) RunMacro(ctx context.Context, id, macroID int64, by Actor) (Conversation, error) {
	err := sc.s.InTx(ctx, func(tx pgx.Tx) error {
		m, err := macroFor(ctx, tx, macroID, by.AgentID)
		if err != nil {
			return err
		}
		c, err := lockConversation(ctx, tx, id)
		if err != nil {
			return err
		}
		if !sc.v.Sees(c.teamID, c.assigneeID) {
			return hidden("conversation", id)
		}
		values, err := placeholderValues(ctx, tx, c, by)
		if err != nil {
			return err
		}
		for i, a := range m.Actions {
			if err := sc.s.applyMacroTx(ctx, tx, id, a, values, by); err != nil {
				if refusal(err) {
					return &MacroError{Index: i, Type: a.Type, Err: err}
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Conversation{}, fmt.Errorf("inbox: macro %d: %w", macroID, err)
	}
	sc.visible[id] = true
	return sc.s.GetConversation(ctx, id)
}

// placeholderValues are the values of the placeholders for conversation c and agent by.
func placeholderValues(ctx context.Context, tx pgx.Tx, c convState, by Actor) (map[string]string, error) {
	var contact, email, agent string
	err := tx.QueryRow(ctx, `SELECT ct.name,
			coalesce((SELECT address FROM contact_identities WHERE contact_id = ct.id AND kind = 'email' ORDER BY verified DESC, id LIMIT 1), ''),
			coalesce((SELECT name FROM agents WHERE id = $2), '')
		FROM contacts ct WHERE ct.id = $1`, c.contactID, by.AgentID).Scan(&contact, &email, &agent)
	if err != nil {
		return nil, fmt.Errorf("inbox: macro placeholders: %w", err)
	}
	return map[string]string{"contact.name": contact, "contact.email": email, "agent.name": agent,
		"conversation.id": strconv.FormatInt(c.id, 10)}, nil
}

// applyMacroTx applies one action of a macro to conversation id in tx.
func (s *Store) applyMacroTx(ctx context.Context, tx pgx.Tx, id int64, a MacroAction, values map[string]string, by Actor) error {
	switch a.Type {
	case MacroReply, MacroNote:
		dir := DirectionOutbound
		if a.Type == MacroNote {
			dir = DirectionNote
		}
		_, err := s.WriteTx(ctx, tx, Reply{ConversationID: id, Author: by, Text: FillPlaceholders(a.Text, values)}, dir)
		return err
	case MacroStatus:
		return s.SetStatusTx(ctx, tx, id, a.Status, by)
	case MacroPriority:
		return s.SetPriorityTx(ctx, tx, id, a.Priority, by)
	case MacroTags:
		return s.SetTagsTx(ctx, tx, id, a.Add, a.Remove, by)
	case MacroCategory:
		return s.SetCategoryTx(ctx, tx, id, a.CategoryID, by)
	case MacroTeam:
		return s.SetTeamTx(ctx, tx, id, a.TeamID, by)
	}
	return fmt.Errorf("inbox: macro: %w", invalid("type", "unknown action %q", a.Type))
}
