package web

import (
	"net/http"
	"slices"
)

// router is the server's ServeMux with a record of every pattern registered on it: the routes
// are registered only through it, so Routes lists all of them, and the access tests walk that
// list instead of one written by hand (a new route without a policy fails them).
type router struct {
	mux      *http.ServeMux
	patterns []string
	// wrap, when set, may wrap each route's handler by its pattern (the per-address cap).
	wrap func(pattern string, h http.Handler) http.Handler
}

func newRouter() *router { return &router{mux: http.NewServeMux()} }

// Handle registers h for pattern.
func (m *router) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	if m.wrap != nil {
		h = m.wrap(pattern, h)
	}
	m.mux.Handle(pattern, h)
}

// HandleFunc registers fn for pattern.
func (m *router) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(fn))
}

// Routes lists the pattern of every route the server answers, in registration order (the
// catch-all "/" last).
func (s *Server) Routes() []string { return slices.Clone(s.mux.patterns) }
