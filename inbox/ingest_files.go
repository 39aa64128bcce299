package inbox

import (
	"bytes"
	"context"
	"fmt"
	"slices"
)

// stage writes the files of an inbound message to the file store before the ingest's
// transaction, so that no transaction waits on the store: each becomes an uploads row without
// an agent, which the transaction that stores the message deletes (insertAttachments). A file
// over the per-file limit, or past the per-message one, keeps its metadata only, as before the
// store. The attachments are copied first: the caller's Inbound is left as it was, so it may
// ingest it again.
func (s *Store) stage(ctx context.Context, in *Inbound) error {
	in.Attachments = slices.Clone(in.Attachments)
	var total int64
	for i := range in.Attachments {
		a := &in.Attachments[i]
		if a.key != "" || a.Content == nil {
			continue
		}
		n := int64(len(a.Content))
		if a.Size == 0 {
			a.Size = len(a.Content)
		}
		if n > s.maxFile || total+n > s.maxMessage {
			a.Content = nil
			continue
		}
		key, ct, size, err := s.putFile(ctx, bytes.NewReader(a.Content), s.maxFile)
		if err != nil {
			s.unstage(ctx, in.Attachments[:i])
			return fmt.Errorf("inbox: ingest: %w", err)
		}
		if _, err := s.pool.Exec(ctx, `INSERT INTO uploads (store_key, filename, content_type, size, created_at)
			VALUES ($1, $2, $3, $4, $5)`, key, a.Filename, ct, size, s.now()); err != nil {
			_ = s.files.Delete(context.WithoutCancel(ctx), key)
			s.unstage(ctx, in.Attachments[:i])
			return fmt.Errorf("inbox: ingest: stage a file: %w", err)
		}
		total += size
		a.key, a.ContentType, a.Size, a.Content = key, ct, int(size), nil
	}
	return nil
}

// unstage deletes the staged files of atts that no committed message took (a duplicate, a
// failed ingest). One it cannot delete now is pruned with the uploads a day later.
func (s *Store) unstage(ctx context.Context, atts []NewAttachment) {
	var keys []string
	for _, a := range atts {
		if a.key != "" && !a.held {
			keys = append(keys, a.key)
		}
	}
	if len(keys) == 0 {
		return
	}
	if _, err := s.dropUploads(context.WithoutCancel(ctx), `store_key = ANY($1) AND agent_id IS NULL`, keys); err != nil {
		s.log.Warn("inbox: unstage files", "err", err)
	}
}
