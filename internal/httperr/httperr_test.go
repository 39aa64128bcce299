package httperr_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parleyhq/parley/internal/httperr"
)

func TestWriteAnswersTheOneErrorBody(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	httperr.Write(w, http.StatusForbidden, "forbidden", `no "access" <here>`)
	if w.Code != http.StatusForbidden || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("answer %d %q, want 403 application/json", w.Code, w.Header().Get("Content-Type"))
	}
	if got, want := w.Body.String(), `{"error":"no \"access\" \u003chere\u003e","code":"forbidden"}`+"\n"; got != want {
		t.Fatalf("body %s, want %s", got, want)
	}

	w = httptest.NewRecorder()
	httperr.Internal(w)
	if got, want := w.Body.String(), `{"error":"internal error","code":"internal"}`+"\n"; w.Code != 500 || got != want {
		t.Fatalf("internal: %d %s, want 500 %s", w.Code, got, want)
	}
}

func TestCodeNamesTheStatuses(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]string{
		400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
		409: "conflict", 413: "too_large", 500: "internal", 418: "error", 503: "unavailable", 502: "error",
	} {
		if got := httperr.Code(status); got != want {
			t.Errorf("Code(%d) = %q, want %q", status, got, want)
		}
	}
}
