// Package apidoc holds the OpenAPI 3.1 description of Parley's /api/v1 (openapi.yaml, embedded)
// and renders it as a readable reference page. The web server serves both; the API tests check
// that it describes every route and that their responses validate against it.
package apidoc

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var spec []byte

// Load parses and validates the description. It fails only when the embedded file is broken,
// which the package's tests catch.
func Load(ctx context.Context) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	return doc, nil
}
