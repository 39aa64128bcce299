package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AttachFetched adds to a stored message an attachment its channel fetched afterwards (an MMS
// picture Twilio keeps until asked for it), unless the message already has one of the same
// filename, and announces message.updated so that open screens show it. It reports whether it
// added one. No such message is ErrNotFound.
func (s *Store) AttachFetched(ctx context.Context, messageID int64, a NewAttachment) (bool, error) {
	if a.Filename == "" {
		return false, fmt.Errorf("inbox: attach: %w", invalid("filename", "is required"))
	}
	in := Inbound{Attachments: []NewAttachment{a}}
	if err := s.stage(ctx, &in); err != nil {
		return false, err
	}
	a = in.Attachments[0]
	var added bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		added = false
		var convID int64
		var dir Direction
		var ch Channel
		err := tx.QueryRow(ctx, `SELECT conversation_id, direction, channel FROM messages WHERE id = $1 FOR NO KEY UPDATE`, messageID).
			Scan(&convID, &dir, &ch)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("inbox: attach to message %d: %w", messageID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("inbox: attach to message %d: %w", messageID, err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM attachments WHERE message_id = $1 AND filename = $2)`,
			messageID, a.Filename).Scan(&exists); err != nil {
			return fmt.Errorf("inbox: attach to message %d: %w", messageID, err)
		}
		if exists {
			return nil
		}
		now := s.now()
		if err := insertAttachments(ctx, tx, messageID, []NewAttachment{a}, now); err != nil {
			return err
		}
		c, err := scanConvState(tx.QueryRow(ctx, "SELECT "+convStateCols+" FROM conversations WHERE id = $1", convID))
		if err != nil {
			return fmt.Errorf("inbox: attach to message %d: %w", messageID, err)
		}
		e := c.event(EventMessageUpdated, now)
		e.MessageID, e.Direction, e.Channel = messageID, dir, ch
		e.Data = map[string]any{"message_id": messageID, "attachment": a.Filename}
		added = true
		return s.Publish(ctx, tx, e)
	})
	if err != nil || !added {
		s.unstage(ctx, in.Attachments)
	}
	return added, err
}
