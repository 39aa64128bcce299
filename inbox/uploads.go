package inbox

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Upload is a file an agent stored before writing the message that carries it
// (POST /api/v1/uploads); only that agent may attach it, and one no message takes within
// UploadKeep is deleted.
type Upload struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// Upload streams r into the file store as agentID's upload named filename (cleaned by
// CleanFilename), its type sniffed from the bytes. A file over the per-file limit is
// ErrTooLarge and nothing is stored.
func (s *Store) Upload(ctx context.Context, agentID int64, filename string, r io.Reader) (Upload, error) {
	return s.UploadWithin(ctx, agentID, filename, r, s.maxFile)
}

// UploadWithin is Upload with a tighter limit than the per-file one (what is left of a
// message's allowance); a file over it is ErrTooLarge.
func (s *Store) UploadWithin(ctx context.Context, agentID int64, filename string, r io.Reader, limit int64) (Upload, error) {
	limit = min(limit, s.maxFile)
	key, ct, size, err := s.putFile(ctx, r, limit)
	if err != nil {
		return Upload{}, err
	}
	u := Upload{Filename: CleanFilename(filename), ContentType: ct, Size: size, CreatedAt: s.now()}
	err = s.pool.QueryRow(ctx, `INSERT INTO uploads (store_key, agent_id, filename, content_type, size, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, key, agentID, u.Filename, ct, size, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		_ = s.files.Delete(context.WithoutCancel(ctx), key)
		return Upload{}, fmt.Errorf("inbox: upload: %w", notFoundFK(err, "agent"))
	}
	return u, nil
}

// DiscardUploads deletes agentID's uploads ids that no message took, files and all: a request
// refused after its files were stored leaves nothing behind.
func (s *Store) DiscardUploads(ctx context.Context, agentID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.dropUploads(context.WithoutCancel(ctx), `id = ANY($1) AND agent_id = $2`, ids, agentID)
	return err
}

// attachUploadsTx makes agentID's uploads ids the attachments of message messageID, in ids'
// order, and deletes their uploads rows, all in tx. An id that is not an upload of agentID's
// (another agent's, one already taken or pruned) is a *ValidationError on attachment_ids; more
// bytes than the per-message limit is ErrTooLarge.
func (s *Store) attachUploadsTx(ctx context.Context, tx pgx.Tx, messageID, agentID int64, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if agentID == 0 {
		return fmt.Errorf("inbox: attach uploads: %w", invalid("attachment_ids", "only an agent attaches uploads"))
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(ids) {
		return fmt.Errorf("inbox: attach uploads: %w", invalid("attachment_ids", "names an upload twice"))
	}
	rows, err := tx.Query(ctx, `DELETE FROM uploads WHERE id = ANY($1) AND agent_id = $2
		RETURNING id, store_key, filename, content_type, size`, ids, agentID)
	if err != nil {
		return fmt.Errorf("inbox: attach uploads: %w", err)
	}
	type taken struct {
		key, filename, contentType string
		size                       int64
	}
	got := map[int64]taken{}
	var total int64
	for rows.Next() {
		var id int64
		var t taken
		if err := rows.Scan(&id, &t.key, &t.filename, &t.contentType, &t.size); err != nil {
			rows.Close()
			return fmt.Errorf("inbox: attach uploads: %w", err)
		}
		got[id] = t
		total += t.size
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: attach uploads: %w", err)
	}
	for _, id := range ids {
		if _, ok := got[id]; !ok {
			return fmt.Errorf("inbox: attach uploads: %w", invalid("attachment_ids",
				"%d is not an upload of yours that is still waiting to be sent (uploads are kept for %s)", id, UploadKeep))
		}
	}
	if total > s.maxMessage {
		return fmt.Errorf("inbox: attach uploads: %w", tooLarge("the message's files together", s.maxMessage))
	}
	for _, id := range ids {
		t := got[id]
		if _, err := tx.Exec(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, store_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, messageID, t.filename, t.contentType, t.size, t.key, now); err != nil {
			return fmt.Errorf("inbox: attach uploads: %w", err)
		}
	}
	return nil
}
