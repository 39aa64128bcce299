package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrClosed means the conversation is closed: closed is final, so it refuses replies, notes and
// every change. It matches ErrConflict.
var ErrClosed = fmt.Errorf("the conversation is closed: %w", ErrConflict)

// StaleReplyError refuses a reply written on an old view of a conversation: since the message
// the agent last saw (Reply.After), the customer wrote or a colleague replied. The agent reads
// it and sends again, or confirms (Reply.Confirmed) that the reply still stands. It matches
// ErrConflict.
type StaleReplyError struct {
	// MessageID is the newest message the agent had not seen.
	MessageID int64
	// Direction is inbound when the customer wrote, outbound when a colleague replied.
	Direction Direction
	// AuthorAgentID is the colleague who replied (0 for the customer).
	AuthorAgentID int64
}

// Error implements error.
func (e *StaleReplyError) Error() string {
	return fmt.Sprintf("inbox: reply: message %d arrived after the one the reply answers", e.MessageID)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *StaleReplyError) Is(target error) bool { return target == ErrConflict }

// checkStale refuses r (a StaleReplyError) when the conversation, locked by the caller, has a
// message newer than r.After that its author has not seen: the customer's, or a human
// colleague's reply (notes and automatic messages do not count, nor the author's own replies).
// A reply without After, or confirmed, passes.
func checkStale(ctx context.Context, tx pgx.Tx, r Reply) error {
	if r.After <= 0 || r.Confirmed {
		return nil
	}
	var e StaleReplyError
	var author *int64
	err := tx.QueryRow(ctx, `SELECT id, direction, author_agent_id FROM messages
		WHERE conversation_id = $1 AND id > $2
			AND (direction = 'inbound' OR (direction = 'outbound' AND auto = ''
				AND author_agent_id IS NOT NULL AND author_agent_id <> $3))
		ORDER BY id DESC LIMIT 1`, r.ConversationID, r.After, r.Author.AgentID).Scan(&e.MessageID, &e.Direction, &author)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inbox: reply: newer messages: %w", err)
	}
	if author != nil {
		e.AuthorAgentID = *author
	}
	return &e
}
