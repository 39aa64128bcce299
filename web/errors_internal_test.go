package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestARequestItsClientAbandonedIsNoFault: a read cut short because the client went away (its
// request's context canceled) is not logged as the server's error; the same error while the
// client still waits is.
func TestARequestItsClientAbandonedIsNoFault(t *testing.T) {
	failed := fmt.Errorf("inbox: agent teams: %w", context.Canceled)
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	gone := httptest.NewRequestWithContext(ctx, "GET", "/api/v1/me", nil)
	writeError(httptest.NewRecorder(), gone, log, failed)
	if logged.Len() != 0 {
		t.Fatalf("a request its client abandoned was logged: %s", logged.String())
	}

	waiting := httptest.NewRequestWithContext(t.Context(), "GET", "/api/v1/me", nil)
	rec := httptest.NewRecorder()
	writeError(rec, waiting, log, failed)
	if rec.Code != 500 || !strings.Contains(logged.String(), "level=ERROR") {
		t.Fatalf("a cancellation the client did not make: status %d, log %q", rec.Code, logged.String())
	}
}
