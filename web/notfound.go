package web

import (
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/httperr"
)

// errNoPage is a page address that names nothing: a path no route answers, or an id that is not
// a number (/inbox/abc). Browsers get the "Page not found" page, API clients the JSON body.
var errNoPage = &apiError{http.StatusNotFound, "not_found", "not found"}

// wantsHTML reports whether a request is a browser's for a page: outside /api/ and accepting
// HTML. Everything else (the API, scripts, curl) is answered in JSON.
func wantsHTML(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") || isFragment(r) {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// notFound answers a path no route serves: a page for a browser, with the navigation when an
// agent is signed in, and the API's JSON error otherwise.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if !wantsHTML(r) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		httperr.Write(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
		return
	}
	a, err := s.sessionAgent(r)
	if err != nil {
		a = inbox.Agent{}
	}
	s.renderError(w, r, a, errNoPage)
}

// favicon is GET /favicon.ico: the icon browsers ask for on every page, a small SVG.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	r.SetPathValue("file", "favicon.svg")
	s.ui.static.ServeHTTP(w, r)
}

// pageID reads a page's positive integer path parameter; anything else is errNoPage (a page at
// /inbox/abc does not exist, it is not a bad request).
func pageID(r *http.Request, name string) (int64, error) {
	id, err := pathID(r, name)
	if err != nil {
		return 0, errNoPage
	}
	return id, nil
}
