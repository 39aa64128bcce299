package chat

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/inbox"
)

// uploadedFiles returns the visitor's uploads named by ids, in the order named, as the
// attachments of their message. An id that is not the visitor's upload in this inbox (another
// visitor's, pruned, made up) fails the whole message: it is refused rather than sent without
// a file the visitor believes is in it.
func (s *Server) uploadedFiles(ctx context.Context, inboxID int64, visitorID string, ids []string) ([]inbox.NewAttachment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.store.Pool().Query(ctx, `SELECT id, store_key, filename, content_type, size FROM chat_uploads
		WHERE id = ANY($1) AND inbox_id = $2 AND visitor_id = $3`, ids, inboxID, visitorID)
	if err != nil {
		return nil, fmt.Errorf("chat: uploads: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]inbox.NewAttachment, len(ids))
	for rows.Next() {
		var id string
		var f inbox.StagedFile
		if err := rows.Scan(&id, &f.Key, &f.Filename, &f.ContentType, &f.Size); err != nil {
			return nil, fmt.Errorf("chat: uploads: %w", err)
		}
		byID[id] = f.Attachment()
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("chat: uploads: %w", err)
	}
	out := make([]inbox.NewAttachment, 0, len(ids))
	for _, id := range ids {
		a, ok := byID[id]
		if !ok {
			return nil, errMissingUpload
		}
		out = append(out, a)
	}
	return out, nil
}
