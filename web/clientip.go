package web

import (
	"context"
	"net"
	"net/http"
)

type clientIPKey struct{}

// withClientIP finds, once per request, the address the request came from: the peer's, or
// behind a trusted proxy (PARLEY_TRUSTED_PROXIES) the one it forwarded; clientIP reads it.
func (s *Server) withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := s.ui.signinFlow.throttle.clientIP(r)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// clientIP is the address r came from, as withClientIP found it (the peer's without it).
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
