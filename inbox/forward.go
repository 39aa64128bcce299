package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// AutoForward marks the outbound message that forwards a conversation to an outside address:
// it never counts as a response, and the email channel sends it as a forward (the
// conversation's messages quoted, their files attached) rather than a reply.
const AutoForward = "forward"

// Forward is an agent's forward of a conversation to someone outside: a colleague at the
// customer's company, a supplier, a carrier.
type Forward struct {
	ConversationID int64
	Author         Actor
	// To is the address it goes to.
	To string
	// Note is the agent's few words above the quoted conversation; required.
	Note string
}

// Forward stores a forward as an outbound email message (Auto "forward", Recipients To the
// address) of the conversation, queued for delivery like a reply in the same transaction, so
// the timeline and the conversation's events show who forwarded it to whom. It goes from the
// email inbox of the conversation's latest email, else the first enabled email inbox. A bad
// address or an empty note is a *ValidationError; no email inbox at all is one too.
func (s *Store) Forward(ctx context.Context, f Forward) (Message, error) {
	note := strings.TrimSpace(f.Note)
	if note == "" {
		return Message{}, fmt.Errorf("inbox: forward: %w", invalid("note", "is empty"))
	}
	if f.Author.AgentID == 0 {
		return Message{}, fmt.Errorf("inbox: forward: %w", invalid("author", "a forward needs an agent"))
	}
	if _, err := (EmailRecipients{To: []string{f.To}}).clean(); err != nil || strings.TrimSpace(f.To) == "" {
		return Message{}, fmt.Errorf("inbox: forward: %w", invalid("to", "%q is not an email address", f.To))
	}
	var inboxID int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM inboxes WHERE kind = 'email' AND disabled_at IS NULL
		ORDER BY id = (SELECT inbox_id FROM messages WHERE conversation_id = $1 AND channel = 'email'
			AND inbox_id IS NOT NULL ORDER BY id DESC LIMIT 1) DESC NULLS LAST, id LIMIT 1`, f.ConversationID).Scan(&inboxID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, fmt.Errorf("inbox: forward: %w", invalid("to", "no email inbox to send the forward from"))
	}
	if err != nil {
		return Message{}, fmt.Errorf("inbox: forward: %w", err)
	}
	return s.Send(ctx, Reply{ConversationID: f.ConversationID, Author: f.Author, Text: note, Channel: ChannelEmail,
		InboxID: inboxID, Auto: AutoForward, Recipients: &EmailRecipients{To: []string{f.To}}})
}

// Forward is Store.Forward on a conversation the viewer may see.
func (sc Scope) Forward(ctx context.Context, f Forward) (Message, error) {
	if err := sc.check(ctx, f.ConversationID); err != nil {
		return Message{}, err
	}
	return sc.s.Forward(ctx, f)
}
