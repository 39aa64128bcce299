package filestore

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// sniffLen is how much of a file net/http.DetectContentType reads.
const sniffLen = 512

// Sniff reads the start of r and tells its content type from the bytes alone
// (net/http.DetectContentType), never from a name or a sender's claim: an executable named
// photo.png is application/octet-stream. It returns a reader that yields all of r again, the
// sniffed bytes first.
func Sniff(r io.Reader) (string, io.Reader, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", nil, fmt.Errorf("filestore: sniff: %w", err)
	}
	head = head[:n]
	return http.DetectContentType(head), io.MultiReader(bytes.NewReader(head), r), nil
}
