package inbox

import (
	"context"
	"fmt"
	"io"
)

// StagedFile is a file written to the file store ahead of the inbound message that will carry
// it: a website visitor's upload, sent with a later chat message. It waits as an upload of no
// agent, which the uploads prune deletes after a day unless a message took it first.
type StagedFile struct {
	Key         string // the file store's key
	Filename    string
	ContentType string // sniffed from the bytes
	Size        int64
}

// StageFile streams r into the file store as filename, at most limit bytes (a *ValidationError
// wrapping ErrTooLarge beyond, nothing kept), typed from its bytes.
func (s *Store) StageFile(ctx context.Context, filename string, r io.Reader, limit int64) (StagedFile, error) {
	key, ct, size, err := s.putFile(ctx, r, limit)
	if err != nil {
		return StagedFile{}, err
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO uploads (store_key, filename, content_type, size, created_at)
		VALUES ($1, $2, $3, $4, $5)`, key, filename, ct, size, s.now()); err != nil {
		_ = s.files.Delete(context.WithoutCancel(ctx), key)
		return StagedFile{}, fmt.Errorf("inbox: stage a file: %w", err)
	}
	return StagedFile{Key: key, Filename: filename, ContentType: ct, Size: size}, nil
}

// DiscardStaged deletes a staged file no message took (a refused upload).
func (s *Store) DiscardStaged(ctx context.Context, key string) error {
	_, err := s.dropUploads(context.WithoutCancel(ctx), `store_key = $1 AND agent_id IS NULL`, key)
	return err
}

// Attachment is the staged file as an attachment of an Inbound. The ingest that stores the
// message takes the file; one that stores nothing (a duplicate, a refusal) leaves it staged
// for the caller to send again. A file another message already took fails the ingest with a
// *ValidationError: two messages never share one file.
func (f StagedFile) Attachment() NewAttachment {
	return NewAttachment{Filename: f.Filename, ContentType: f.ContentType, Size: int(f.Size), key: f.Key, held: true}
}
