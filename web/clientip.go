package web

import (
	"net/http"

	"github.com/parleyhq/parley/internal/netlimit"
)

// withClientIP finds, once per request, the address the request came from: the peer's, or
// behind a trusted proxy (PARLEY_TRUSTED_PROXIES) the one it forwarded; clientIP reads it, and
// so do the channels' handlers (netlimit.Client), which count their limits by it.
func (s *Server) withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := s.ui.signinFlow.throttle.clientIP(r)
		next.ServeHTTP(w, r.WithContext(netlimit.WithClient(r.Context(), ip)))
	})
}

// clientIP is the address r came from, as withClientIP found it (the peer's without it).
func clientIP(r *http.Request) string { return netlimit.Client(r) }
