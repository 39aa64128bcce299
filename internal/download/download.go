// Package download answers a request with a stored file: the agents' downloads, the links a
// chat visitor follows and the addresses Twilio fetches an MMS's media from all serve
// customer-supplied bytes, so they share one set of headers that keep those bytes from ever
// running in a page of ours.
package download

import (
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/parleyhq/parley/inbox"
)

// Serve writes a's bytes from body with a's stored (sniffed) content type, its file name in
// the Content-Disposition (inline: shown in place, else a download), nosniff and a sandboxing
// Content-Security-Policy. Headers set on w before the call (Cache-Control) are kept. An error
// is a copy that stopped: the answer has begun, so the caller can only log it.
func Serve(w http.ResponseWriter, a inbox.Attachment, body io.Reader, inline bool) error {
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	if _, err := io.Copy(w, body); err != nil {
		return fmt.Errorf("download: attachment %d: %w", a.ID, err)
	}
	return nil
}
