package chat

import (
	"errors"
	"net/http"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/download"
)

// FilePath is where the chat serves a message's files to its visitor: FilePath + token, where
// the token (internal/medialink) names one attachment and an expiry, sealed with the chat's key.
const FilePath = "/chat/file/"

// FileLinkTTL is how long a file's link works: a widget gets fresh links with every message
// frame and every replay after a reconnect.
const FileLinkTTL = 7 * 24 * time.Hour

// inlineTypes are the files a visitor's browser shows in place; every other file is a
// download.
var inlineTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// serveFile is GET /chat/file/{token}: a file of the visitor's conversation, which the widget
// links to (pictures shown in the page). Only messages the visitor sees get links, so the token
// is the whole check; a token that is not the chat's, altered or expired, or names a file that
// is gone, is 404 alike.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	id, err := s.files.Check(r.PathValue("token"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	a, body, err := s.store.OpenAttachmentFile(r.Context(), id)
	if errors.Is(err, inbox.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("chat: file", "attachment", id, "err", err)
		http.Error(w, "the file could not be read", http.StatusInternalServerError)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Cross-Origin-Resource-Policy", "cross-origin") // shown in the host site's page
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Referrer-Policy", "no-referrer")
	if err := download.Serve(w, a, body, inlineTypes[a.ContentType]); err != nil && r.Context().Err() == nil {
		s.log.Warn("chat: file: send", "err", err)
	}
}
