package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Snooze puts a conversation aside until an instant. It is status snoozed with
// conversations.snoozed_until; the change's event (conversation.status, Data["until"]) makes the
// workflow schedule a River job at that instant, which wakes it back to open (WakeTx) unless it
// moved on meanwhile. A customer's message wakes it early (the ingest, in its own transaction);
// an agent wakes it by setting another status. Each wake is in the trail (a status entry with
// Data["woke"]) and announced as conversation.woke, with the assignee, for whoever notifies them.

// EventConversationWoke: a snoozed conversation woke (Data["reason"]: WokeTimer, WokeCustomer or
// WokeAgent). AssigneeID is whom to tell.
const EventConversationWoke = "conversation.woke"

// Why a snoozed conversation woke, in conversation.woke's Data["reason"] and the trail.
const (
	WokeTimer    = "timer"    // its instant came
	WokeCustomer = "customer" // the customer wrote
	WokeAgent    = "agent"    // an agent set another status
)

// MaxSnooze is how far ahead a conversation may be snoozed.
const MaxSnooze = 366 * 24 * time.Hour

// ErrNotSnoozable means the conversation is resolved: it is finished, so there is nothing to put
// aside (a closed one answers ErrClosed). It matches ErrConflict.
var ErrNotSnoozable = fmt.Errorf("a resolved conversation cannot be snoozed: %w", ErrConflict)

// Snooze snoozes conversation id until until (to the second), or moves the instant of one
// already snoozed. until must lie in the future and at most MaxSnooze ahead (*ValidationError on
// "until"); a resolved conversation is ErrNotSnoozable, a closed one ErrClosed.
func (s *Store) Snooze(ctx context.Context, id int64, until time.Time, by Actor) (Conversation, error) {
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SnoozeTx(ctx, tx, id, until, by) }); err != nil {
		return Conversation{}, err
	}
	return s.GetConversation(ctx, id)
}

// SnoozeTx is Snooze in the caller's transaction.
func (s *Store) SnoozeTx(ctx context.Context, tx pgx.Tx, id int64, until time.Time, by Actor) error {
	now := s.now()
	until = until.Truncate(time.Second).UTC()
	if !until.After(now) {
		return fmt.Errorf("inbox: snooze: %w", invalid("until", "must be in the future, not %s", until.Format(time.RFC3339)))
	}
	if until.After(now.Add(MaxSnooze)) {
		return fmt.Errorf("inbox: snooze: %w", invalid("until", "must be within %d days, not %s", int(MaxSnooze/(24*time.Hour)), until.Format(time.RFC3339)))
	}
	if err := lockContactOf(ctx, tx, id); err != nil {
		return err
	}
	c, err := lockConversation(ctx, tx, id)
	if err != nil {
		return err
	}
	switch c.status {
	case StatusClosed:
		return fmt.Errorf("inbox: snooze %d: %w", id, ErrClosed)
	case StatusResolved:
		return fmt.Errorf("inbox: snooze %d: %w", id, ErrNotSnoozable)
	}
	var before *time.Time
	if err := tx.QueryRow(ctx, `SELECT snoozed_until FROM conversations WHERE id = $1`, id).Scan(&before); err != nil {
		return fmt.Errorf("inbox: snooze %d: %w", id, err)
	}
	if before != nil && before.Equal(until) {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET status = 'snoozed', snoozed_until = $2,
			last_activity_at = greatest(last_activity_at, $3) WHERE id = $1`, id, until, now); err != nil {
		return fmt.Errorf("inbox: snooze %d: %w", id, err)
	}
	previous := c.status
	c.status = StatusSnoozed
	e := c.event(EventConversationStatus, now)
	e.Previous, e.AgentID = string(previous), by.AgentID
	e.Data = map[string]any{"until": until}
	return s.record(ctx, tx, c, by, "status", map[string]any{"from": previous, "to": StatusSnoozed, "until": until}, e)
}

// WakeTx wakes conversation id in tx when its snooze ends: only if it is still snoozed until
// exactly until, so a timer is stale (and WakeTx does nothing, answering false) once the
// conversation woke early, was snoozed again to another instant, resolved or closed. The wake is
// the system's: back to open, in the trail, announced as conversation.status and
// conversation.woke (WokeTimer).
func (s *Store) WakeTx(ctx context.Context, tx pgx.Tx, id int64, until time.Time) (bool, error) {
	if err := lockContactOf(ctx, tx, id); errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	now := s.now()
	c, err := scanConvState(tx.QueryRow(ctx, `UPDATE conversations SET status = 'open', snoozed_until = NULL,
			last_activity_at = greatest(last_activity_at, $3)
		WHERE id = $1 AND status = 'snoozed' AND snoozed_until = $2 RETURNING `+convStateCols, id, until, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inbox: wake %d: %w", id, err)
	}
	e := c.event(EventConversationStatus, now)
	e.Previous = string(StatusSnoozed)
	if err := s.record(ctx, tx, c, Actor{}, "status",
		map[string]any{"from": StatusSnoozed, "to": StatusOpen, "woke": WokeTimer, "until": until}, e); err != nil {
		return false, err
	}
	if err := s.Publish(ctx, tx, c.woke(WokeTimer, now)); err != nil {
		return false, err
	}
	// The assignee learns that it is back, in the wake's own transaction.
	if c.assigneeID == 0 {
		return true, nil
	}
	return true, s.NotifyTx(ctx, tx, Notice{AgentID: c.assigneeID, Kind: NotifySnoozeWoke, ConversationID: c.id})
}

// woke is the conversation.woke event of c, woken for reason.
func (c convState) woke(reason string, at time.Time) Event {
	e := c.event(EventConversationWoke, at)
	e.Data = map[string]any{"reason": reason}
	return e
}

// lockContactOf locks the contact of conversation id (FOR NO KEY UPDATE), as an ingest of their
// message does before it reads their conversation: a snooze or a timer's wake and a customer's
// message that would wake it therefore take turns, and whichever comes second sees the other's
// status. An unknown conversation is ErrNotFound.
func lockContactOf(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM contacts WHERE id = (SELECT contact_id FROM conversations WHERE id = $1)
		FOR NO KEY UPDATE`, id).Scan(&one)
	if err != nil {
		return fmt.Errorf("inbox: conversation %d: %w", id, notFound(err))
	}
	return nil
}

// Snooze is Store.Snooze on a conversation the viewer may see.
func (sc Scope) Snooze(ctx context.Context, id int64, until time.Time, by Actor) (Conversation, error) {
	if err := sc.check(ctx, id); err != nil {
		return Conversation{}, err
	}
	return sc.s.Snooze(ctx, id, until, by)
}
