package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/parleyhq/parley/web/apidoc"
)

// apiDocRoutes serves the OpenAPI description of /api/v1 and the reference page made from it,
// to anyone: they describe the API, they open nothing.
//
//	GET /api/v1/openapi.json  the description (OpenAPI 3.1, JSON)
//	GET /api/docs             the reference page
func (s *Server) apiDocRoutes(m *router) {
	doc, err := apidoc.Load(context.Background())
	if err != nil {
		panic(err) // the embedded file is broken: apidoc's tests fail first
	}
	spec, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	var page bytes.Buffer
	if err := apidoc.Render(&page, doc); err != nil {
		panic(err)
	}
	m.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(spec)
	})
	m.HandleFunc("GET /api/docs", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(page.Bytes())
	})
}
