package httperr

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
)

// RetryAfter is the Retry-After, in seconds, of a 503: about how long PostgreSQL takes to come
// back from a restart, and the pool to reconnect.
const RetryAfter = 5

// Unavailable reports whether err means the database could not be reached or did not answer in
// time, rather than that the request or the code is wrong: a connection refused, reset or
// closed (PostgreSQL stopping, restarting or unreachable), a server shutting down or refusing
// connections (SQLSTATE class 08, 57P01-57P03, 53300), a statement cancelled by its timeout,
// or a deadline that passed while waiting for a connection or an answer. Such a request may
// succeed if sent again shortly: it is answered 503 with Retry-After, never 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "53300", "57014":
			return true
		}
		return len(pe.Code) == 5 && pe.Code[:2] == "08"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// WriteUnavailable answers 503 with Retry-After ({"error": ..., "code": "unavailable"}).
func WriteUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(RetryAfter))
	Write(w, http.StatusServiceUnavailable, "unavailable", "the service is briefly unavailable: retry shortly")
}

// Failed answers a request that failed on the server's side: 503 with Retry-After when err is
// Unavailable, otherwise a 500 without detail (Internal). The caller logs err.
func Failed(w http.ResponseWriter, err error) {
	if Unavailable(err) {
		WriteUnavailable(w)
		return
	}
	Internal(w)
}
