package web

import (
	"errors"
	"net/http"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/download"
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
	a, body, err := s.store.OpenAttachmentFile(r.Context(), id)
	if errors.Is(err, inbox.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("media", "attachment", id, "err", err)
		http.Error(w, "the file could not be read", http.StatusInternalServerError)
		return
	}
	defer body.Close()
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := download.Serve(w, a, body, true); err != nil && r.Context().Err() == nil {
		s.log.Warn("media: send", "attachment", id, "err", err)
	}
}
