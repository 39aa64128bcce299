// Package filestore keeps the bytes of files (attachments, uploads) behind one small interface,
// Store, with three backends chosen by configuration (see Open): PostgreSQL (the default, a
// table of 1 MiB chunks), a local directory, and S3-compatible object storage. Every backend
// streams: a file is written from a reader and read through a reader, holding at most one
// chunk (PostgreSQL, 1 MiB) or one part (S3, 5 MiB) in memory at a time.
//
// The store knows keys and bytes only: which file belongs to which message, its name, type and
// size are the inbox's (the attachments and uploads tables). Keys are made by NewKey.
package filestore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Sentinel errors of every backend.
var (
	// ErrNotFound means no file is stored under the key.
	ErrNotFound = errors.New("filestore: no such file")
	// ErrBadKey means the key is not one NewKey makes.
	ErrBadKey = errors.New("filestore: malformed key")
)

// Store keeps files by key.
type Store interface {
	// Put stores everything r yields under key and returns the number of bytes stored. When r
	// fails (a size limit, a client gone), nothing is left stored under key and the error is
	// r's, wrapped.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open streams the file stored under key; the caller closes it. ErrNotFound if none.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the file under key; deleting a file that is not there is not an error.
	Delete(ctx context.Context, key string) error
}

// NewKey returns a fresh random key: 32 lowercase hexadecimal digits, unguessable.
func NewKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkKey refuses a key NewKey would not make, so that no key reaches a path or an object name
// it could escape from.
func checkKey(key string) error {
	if len(key) != 32 {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	for _, c := range key {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("%w: %q", ErrBadKey, key)
		}
	}
	return nil
}
