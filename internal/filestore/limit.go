package filestore

import (
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge means a file ran past the limit its reader was given (LimitReader).
var ErrTooLarge = errors.New("filestore: file too large")

// LimitReader reads r and fails with an error matching ErrTooLarge as soon as r yields more
// than limit bytes, so that a Put of it stores nothing. Unlike io.LimitReader, which ends
// quietly at the limit, it tells a file at the limit from one past it.
func LimitReader(r io.Reader, limit int64) io.Reader {
	return &limitReader{r: r, left: limit, limit: limit}
}

type limitReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, l.limit)
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), fmt.Errorf("%w (over %d bytes)", ErrTooLarge, l.limit)
	}
	return n, err
}
