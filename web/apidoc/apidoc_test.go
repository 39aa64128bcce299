package apidoc_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/web/apidoc"
)

// The embedded description parses and is valid OpenAPI 3.1.
func TestDescriptionIsValid(t *testing.T) {
	doc, err := apidoc.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
}
