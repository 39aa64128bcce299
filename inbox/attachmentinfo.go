package inbox

import (
	"context"
	"fmt"
)

// AttachmentInfo returns one attachment's record without its content: what is needed to serve
// it (OpenAttachment streams the bytes). No such attachment is ErrNotFound.
func (s *Store) AttachmentInfo(ctx context.Context, id int64) (Attachment, error) {
	var a Attachment
	err := s.pool.QueryRow(ctx, `SELECT id, message_id, filename, content_type, content_id, size
		FROM attachments WHERE id = $1`, id).Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.ContentID, &a.Size)
	if err != nil {
		return a, fmt.Errorf("inbox: attachment %d: %w", id, notFound(err))
	}
	return a, nil
}
