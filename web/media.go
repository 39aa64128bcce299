package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
)

// mediaRoutes serves the files of outgoing messages to the providers that fetch them (Twilio's
// MediaUrl) at the signed, expiring addresses the deliver job hands them: no session, the
// token is the only key. Without a signer (no PARLEY_SECRET_KEY) there is no route.
func (s *Server) mediaRoutes(m *router, signer *medialink.Signer) {
	if signer == nil {
		return
	}
	m.HandleFunc("GET "+medialink.PathPrefix+"{token}", func(w http.ResponseWriter, r *http.Request) {
		s.media(w, r, signer)
	})
}

// media is GET /media/{token}: the file, with its stored (sniffed) content type, which Twilio
// checks against the bytes, and an inline Content-Disposition naming it, which Twilio shows
// the customer. A token that is not this server's, altered or expired, or names a file that is
// gone, is 404 alike: a prober learns nothing.
func (s *Server) media(w http.ResponseWriter, r *http.Request, signer *medialink.Signer) {
	id, err := signer.Check(r.PathValue("token"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	a, err := s.store.AttachmentInfo(r.Context(), id)
	if err == nil {
		var body io.ReadCloser
		body, err = s.store.OpenAttachment(r.Context(), id)
		if err == nil {
			defer body.Close()
			h := w.Header()
			h.Set("Content-Type", a.ContentType)
			h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": a.Filename}))
			h.Set("Content-Length", strconv.Itoa(a.Size))
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Content-Security-Policy", "sandbox")
			h.Set("Cache-Control", "private, no-store")
			h.Set("Referrer-Policy", "no-referrer")
			if _, err := io.Copy(w, body); err != nil && r.Context().Err() == nil {
				s.log.Warn("media: send", "attachment", id, "err", err)
			}
			return
		}
	}
	if !errors.Is(err, inbox.ErrNotFound) {
		s.log.Error("media", "attachment", id, "err", err)
		http.Error(w, "the file could not be read", http.StatusInternalServerError)
		return
	}
	http.NotFound(w, r)
}
