package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// maxEmailReferences bounds the References an outbound email carries: the thread's root and
// the most recent ids.
const maxEmailReferences = 20

// EmailThreading is what an outbound email needs to join its thread.
type EmailThreading struct {
	// MessageID is the email's own Message-ID (without angle brackets).
	MessageID string
	// InReplyTo and References chain it to the message it answers.
	InReplyTo  string
	References []string
	// ParentID is the message answered: the conversation's latest inbound email before this
	// message, else its latest email with a Message-ID; 0 when there is none.
	ParentID int64
}

// PrepareEmail fixes the threading headers of outbound email message id before it is sent.
// The first call stores newMessageID as its Message-ID and external id (so that a bounce finds
// it even before the send is recorded) with the In-Reply-To and References that chain it to
// the parent message; every later call (a retried delivery) returns what the first stored, so
// a retry resends the same Message-ID. A message that is not an outbound email is ErrInvalid; a
// missing one ErrNotFound.
func (s *Store) PrepareEmail(ctx context.Context, id int64, newMessageID string) (EmailThreading, error) {
	var out EmailThreading
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var convID int64
		var dir Direction
		var ch Channel
		var mid, irt *string
		var refs []string
		// FOR UPDATE, not FOR NO KEY UPDATE: it may set external_id, part of a key.
		err := tx.QueryRow(ctx, `SELECT conversation_id, direction, channel, email_message_id, email_in_reply_to, email_references
			FROM messages WHERE id = $1 FOR UPDATE`, id).Scan(&convID, &dir, &ch, &mid, &irt, &refs)
		if err != nil {
			return fmt.Errorf("inbox: prepare email %d: %w", id, notFound(err))
		}
		if dir != DirectionOutbound || ch != ChannelEmail {
			return fmt.Errorf("inbox: prepare email %d: %w", id, invalid("message", "is not an outbound email"))
		}
		parent, pid, prefs, err := emailParent(ctx, tx, convID, id)
		if err != nil {
			return err
		}
		out.ParentID = parent
		if mid != nil {
			out.MessageID, out.References = *mid, refs
			if irt != nil {
				out.InReplyTo = *irt
			}
			return nil
		}
		if newMessageID == "" {
			return fmt.Errorf("inbox: prepare email %d: %w", id, invalid("message_id", "is required"))
		}
		out.MessageID = newMessageID
		if pid != "" {
			out.InReplyTo = pid
			out.References = capRefs(append(prefs, pid))
		}
		_, err = tx.Exec(ctx, `UPDATE messages SET email_message_id = $2, email_in_reply_to = $3, email_references = $4,
				external_id = coalesce(external_id, $2)
			WHERE id = $1`, id, out.MessageID, strOrNil(out.InReplyTo), orNone(out.References))
		if isUniqueViolation(err) {
			return fmt.Errorf("inbox: prepare email %d: %w", id, invalid("message_id", "%q already names another message", newMessageID))
		}
		if err != nil {
			return fmt.Errorf("inbox: prepare email %d: %w", id, err)
		}
		return nil
	})
	return out, err
}

// emailParent finds the message an outbound email answers: the latest inbound email of the
// conversation before it, else its latest email with a Message-ID. It returns the parent's id,
// Message-ID and References.
func emailParent(ctx context.Context, tx pgx.Tx, convID, before int64) (int64, string, []string, error) {
	var id int64
	var mid string
	var refs []string
	err := tx.QueryRow(ctx, `SELECT id, email_message_id, email_references FROM messages
		WHERE conversation_id = $1 AND id < $2 AND channel = 'email' AND email_message_id IS NOT NULL
		ORDER BY direction = 'inbound' DESC, id DESC LIMIT 1`, convID, before).Scan(&id, &mid, &refs)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil, nil
	}
	if err != nil {
		return 0, "", nil, fmt.Errorf("inbox: prepare email: parent: %w", err)
	}
	return id, mid, refs, nil
}

// capRefs keeps the first (the thread's root) and the most recent References.
func capRefs(refs []string) []string {
	if len(refs) <= maxEmailReferences {
		return refs
	}
	return append([]string{refs[0]}, refs[len(refs)-maxEmailReferences+1:]...)
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
