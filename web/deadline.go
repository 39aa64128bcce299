package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// requestTimeout bounds the work of one request (not of a WebSocket, which lives for hours):
// past it, its database calls are cancelled and it is answered 503 with Retry-After
// (httperr.Unavailable), so that a database that stopped answering never leaves a request
// hanging.
const requestTimeout = time.Minute

// deadline gives every request but a WebSocket upgrade a context that ends after
// requestTimeout.
func deadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
