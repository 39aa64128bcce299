package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleyhq/parley/sla"
)

// TestDecodeSaysUnknownZonePlainly: valid JSON whose zone does not exist is refused with the
// zone's name in words, not the decoders' chain of package prefixes.
func TestDecodeSaysUnknownZonePlainly(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"calendar": {"zone": "Mars/Base"}}`))
	var v struct {
		Calendar sla.Calendar `json:"calendar"`
	}
	err := decode(httptest.NewRecorder(), r, &v)
	if err == nil || err.Error() != `Unknown time zone "Mars/Base"` {
		t.Fatalf("decode: %v", err)
	}
}
