package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/internal/netlimit"
	"github.com/parleyhq/parley/workflow"
)

// DefaultMaxConnsPerIP is how many requests one source address may have in flight at once on
// the public endpoints when Config.MaxConnsPerIP is 0.
const DefaultMaxConnsPerIP = 100

// connRetryAfter is the Retry-After of a request refused by the cap: a request in flight ends
// within moments.
const connRetryAfter = time.Second

// publicPage reports whether pattern is one of web's own routes that anyone may reach without
// an account, which the per-address cap guards: sign-in and its steps, the password reset
// pages, the survey form and the files handed to providers (/media/). The channels' routes (webhooks, the chat) are all public and are
// capped where they are mounted.
func publicPage(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return path == "/login" || strings.HasPrefix(path, "/login/") || path == "/forgot" ||
		strings.HasPrefix(path, "/reset/") || strings.HasPrefix(path, workflow.SurveyPath) ||
		strings.HasPrefix(path, medialink.PathPrefix)
}

// newConnGate is the per-address cap of Config.MaxConnsPerIP: 0 takes the default, a negative
// value turns it off (nil).
func newConnGate(max int) *netlimit.Gate {
	switch {
	case max < 0:
		return nil
	case max == 0:
		max = DefaultMaxConnsPerIP
	}
	return netlimit.NewGate(max)
}

// capped is h behind the per-address cap (429 with Retry-After beyond it).
func (s *Server) capped(h http.Handler) http.Handler {
	if s.conns == nil {
		return h
	}
	return s.conns.Limit(h, connRetryAfter)
}

// capPublic caps h when pattern is a public page (the router calls it for every route).
func (s *Server) capPublic(pattern string, h http.Handler) http.Handler {
	if !publicPage(pattern) {
		return h
	}
	return s.capped(h)
}
