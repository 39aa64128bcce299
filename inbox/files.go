package inbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/filestore"
)

// FileStore keeps the bytes of attachments and uploads by key; internal/filestore's backends
// (PostgreSQL, a directory, S3) implement it. Options.Files chooses one.
type FileStore interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// ErrTooLarge means a file, or the files of one message, are over their limit
// (Options.MaxFileSize, Options.MaxMessageFiles). Nothing was stored.
var ErrTooLarge = errors.New("too large")

// Default limits of Options.MaxFileSize and Options.MaxMessageFiles.
const (
	DefaultMaxFileSize     = MaxAttachmentSize
	DefaultMaxMessageFiles = 2 * MaxAttachmentSize
)

// UploadKeep is how long an upload no message took is kept (the prune_uploads job).
const UploadKeep = 24 * time.Hour

// maxFilename bounds a stored file name, in bytes.
const maxFilename = 255

// Limits are the file size limits in force: MaxFile for one file, MaxMessage for all the files
// of one message.
type Limits struct {
	MaxFile    int64
	MaxMessage int64
}

// Limits returns the size limits the store enforces.
func (s *Store) Limits() Limits { return Limits{MaxFile: s.maxFile, MaxMessage: s.maxMessage} }

// SizeError says which limit a file or a message's files went over. It matches ErrTooLarge.
type SizeError struct {
	// What is over the limit ("the file", "the message's files together").
	What  string
	Limit int64
}

// Error implements error.
func (e *SizeError) Error() string { return fmt.Sprintf("%s is larger than %d bytes", e.What, e.Limit) }

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// tooLarge is a *SizeError.
func tooLarge(what string, limit int64) error { return &SizeError{What: what, Limit: limit} }

// CleanFilename makes a sender's file name safe to store and to offer as a download name: the
// last path element only, no control characters, valid UTF-8, at most 255 bytes; "file" when
// nothing is left.
func CleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\\' {
			return '/'
		}
		return r
	}, name)
	name = strings.TrimSpace(path.Base("/" + name))
	if name == "/" || name == "." || name == ".." || name == "" {
		return "file"
	}
	for len(name) > maxFilename {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// putFile streams r into the file store under a new key, refusing it past limit, and returns
// the key, the type sniffed from the bytes and the size. A refused or failed file leaves
// nothing stored.
func (s *Store) putFile(ctx context.Context, r io.Reader, limit int64) (key, contentType string, size int64, err error) {
	ct, r, err := filestore.Sniff(r)
	if err != nil {
		return "", "", 0, fmt.Errorf("inbox: file: %w", err)
	}
	key = filestore.NewKey()
	size, err = s.files.Put(ctx, key, filestore.LimitReader(r, limit))
	if errors.Is(err, filestore.ErrTooLarge) {
		return "", "", 0, fmt.Errorf("inbox: file: %w", tooLarge("the file", limit))
	}
	if err != nil {
		return "", "", 0, fmt.Errorf("inbox: file: %w", err)
	}
	return key, ct, size, nil
}

// openStored streams an attachment's file: from the file store when it has a key, else from
// the bytes kept in its row before the store existed.
func (s *Store) openStored(ctx context.Context, id int64, key *string, content []byte) (io.ReadCloser, error) {
	if key != nil {
		rc, err := s.files.Open(ctx, *key)
		if errors.Is(err, filestore.ErrNotFound) {
			return nil, fmt.Errorf("inbox: attachment %d: its file is gone: %w", id, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("inbox: attachment %d: %w", id, err)
		}
		return rc, nil
	}
	if content == nil {
		return nil, fmt.Errorf("inbox: attachment %d has no stored content: %w", id, ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(content)), nil
}

// dropUploads deletes the uploads rows `where` selects (with args) and their files, in one
// transaction: a file that cannot be deleted keeps its row, for the next prune. It returns how
// many it deleted. One runs at a time in the process (Store.dropping).
func (s *Store) dropUploads(ctx context.Context, where string, args ...any) (int, error) {
	s.dropping.Lock()
	defer s.dropping.Unlock()
	var n int
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM uploads WHERE id IN (SELECT id FROM uploads WHERE `+where+`
			ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING store_key`, args...)
		if err != nil {
			return err
		}
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := s.files.Delete(ctx, k); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("inbox: drop uploads: %w", err)
	}
	return n, nil
}

// PruneUploads deletes the uploads created before cutoff that no message took, with their
// files, and the files an erasure released; it answers how many. The prune_uploads job runs it
// with cutoff a day ago (UploadKeep).
func (s *Store) PruneUploads(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		n, err := s.dropUploads(ctx, `created_at < $1`, cutoff)
		total += n
		if err != nil || n < 500 {
			return total, err
		}
	}
}
