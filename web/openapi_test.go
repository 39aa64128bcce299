package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/parleyhq/parley/web/apidoc"
	"github.com/parleyhq/parley/webhook"
)

// spec is the API description and a router over it, loaded once for every test's responses.
var spec = sync.OnceValues(func() (*openapi3.T, routers.Router) {
	doc, err := apidoc.Load(context.Background())
	if err != nil {
		panic(err)
	}
	// The router matches a request's host against the servers; the description's is relative
	// ("/"), and each test's server has a port of its own: route by path alone.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		panic(err)
	}
	return doc, router
})

// checkResponse validates an /api/v1 answer against the description: its status must be one the
// operation lists (or its default) and its body must match that response's schema.
func checkResponse(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	_, router := spec()
	route, params, err := router.FindRoute(req)
	if err != nil {
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s answered %d but the description has no such operation: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}})
	if err != nil {
		t.Errorf("%s %s answered %d %.300s, which the description does not allow: %v", req.Method, req.URL.Path, resp.StatusCode, body, err)
	}
}

// Every /api/v1 route the server registers is described, and every described operation is a
// route the server registers.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := setup(t)
	var served []string
	for _, r := range e.server.Routes() {
		if method, path, ok := strings.Cut(r, " "); ok && strings.HasPrefix(path, "/api/v1/") {
			served = append(served, method+" "+path)
		}
	}
	doc, _ := spec()
	var described []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described = append(described, method+" "+path)
		}
	}
	for _, r := range served {
		if !slices.Contains(described, r) {
			t.Errorf("route %q is not in web/apidoc/openapi.yaml", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(served, d) {
			t.Errorf("web/apidoc/openapi.yaml describes %q, which the server does not serve", d)
		}
	}
	if len(served) < 30 {
		t.Fatalf("only %d /api/v1 routes found: %v", len(served), served)
	}
}

// The server serves the description as JSON and the reference page made from it.
func TestOpenAPIServed(t *testing.T) {
	e := setup(t)
	resp, err := http.Get(e.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil || resp.StatusCode != http.StatusOK || !doc.IsOpenAPI31OrLater() || doc.Paths.Find("/api/v1/webhooks") == nil {
		t.Fatalf("GET /api/v1/openapi.json: %d, %v", resp.StatusCode, err)
	}
	resp, err = http.Get(e.srv.URL + "/api/docs")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"POST</span> <span class=\"path\">/api/v1/webhooks", "X-Parley-Signature", "id=\"schema-Conversation\""} {
		if !strings.Contains(string(page), want) {
			t.Errorf("/api/docs lacks %q", want)
		}
	}
}

// The description's EventType lists exactly the events an endpoint may subscribe to.
func TestOpenAPIEventTypes(t *testing.T) {
	doc, _ := spec()
	var described []string
	for _, v := range doc.Components.Schemas["EventType"].Value.Enum {
		described = append(described, v.(string))
	}
	want := webhook.EventTypes()
	slices.Sort(described)
	slices.Sort(want)
	if !slices.Equal(described, want) {
		t.Fatalf("EventType in openapi.yaml %v, webhook.EventTypes %v", described, want)
	}
}
