package httperr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/internal/httperr"
)

// TestUnavailable: what the database's absence looks like to pgx is Unavailable (503), however
// wrapped; a wrong request or a bug is not.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("inbox: ingest: %w", refused), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"cannot connect now", fmt.Errorf("x: %w", &pgconn.PgError{Code: "57P03"}), true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, true},
		{"broken connection", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true},
		{"closed connection", pgconn.ErrConnClosed, true},
		{"deadline", fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"check violation", &pgconn.PgError{Code: "23514"}, false},
		{"client gone", context.Canceled, false},
		{"a bug", errors.New("nil map"), false},
		{"nil", nil, false},
	} {
		if got := httperr.Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestFailed: an unavailable database is 503 with Retry-After and code "unavailable"; anything
// else a 500 without detail.
func TestFailed(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	httperr.Failed(w, &pgconn.PgError{Code: "57P01"})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"code":"unavailable"`) {
		t.Errorf("unavailable: %d %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	w = httptest.NewRecorder()
	httperr.Failed(w, errors.New("nil map"))
	if w.Code != http.StatusInternalServerError || w.Header().Get("Retry-After") != "" {
		t.Errorf("a bug: %d %q", w.Code, w.Header().Get("Retry-After"))
	}
}
