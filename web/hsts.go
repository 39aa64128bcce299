package web

import "net/http"

// hstsValue asks browsers to use only HTTPS for this host and its subdomains for two years.
const hstsValue = "max-age=63072000; includeSubDomains"

// hsts sets Strict-Transport-Security on every response when the server's public URL is https
// (PARLEY_PUBLIC_URL); over plain http it sets nothing, as browsers ignore it there and a local
// setup must stay reachable.
func (s *Server) hsts(next http.Handler) http.Handler {
	if !s.ui.secure {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsValue)
		next.ServeHTTP(w, r)
	})
}
