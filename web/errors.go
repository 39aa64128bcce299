package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/httperr"
)

// apiError is an error a handler wants shown to the client with a status and a code.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// errClosedText is what a change to a closed conversation is told, in the API and on pages.
const errClosedText = "This conversation is closed: it can no longer be answered or changed."

func badRequest(msg string) error { return &apiError{http.StatusBadRequest, "bad_request", msg} }

// statusOf maps an error to its HTTP status and code: the one table of the API. The database
// unreachable or too slow (httperr.Unavailable) is 503, which writeError and renderError
// answer with Retry-After.
func statusOf(err error) (int, string) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.code
	case errors.As(err, &mbe), errors.Is(err, inbox.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, inbox.ErrInvalid):
		return http.StatusBadRequest, "invalid"
	case errors.Is(err, inbox.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, inbox.ErrClosed):
		return http.StatusConflict, "closed"
	case errors.Is(err, inbox.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, inbox.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, inbox.ErrBadCredentials):
		return http.StatusUnauthorized, "unauthorized"
	case httperr.Unavailable(err):
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

// writeError answers with err as the JSON error body (httperr). Internal errors are logged and
// shown without detail.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, context.Canceled) && errors.Is(r.Context().Err(), context.Canceled) {
		// The client went away (a tab closed, a page left) and took the request with it: nobody
		// reads an answer, and it is no fault of the server's to report as one.
		log.Debug("request abandoned by its client", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	status, code := statusOf(err)
	switch status {
	case http.StatusInternalServerError:
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		httperr.Internal(w)
		return
	case http.StatusServiceUnavailable:
		log.Warn("request failed: database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		httperr.WriteUnavailable(w)
		return
	}
	httperr.Write(w, status, code, publicMessage(err, status, code))
}

// publicMessage is what a client is told of err, a refusal (a 4xx) of the given status and code:
// a validation error's words, else the error's own unless it has a fixed text (not found, a body
// over the limit, a closed conversation).
func publicMessage(err error, status int, code string) string {
	var ve *inbox.ValidationError
	var mbe *http.MaxBytesError
	var se *inbox.SizeError
	switch {
	case errors.As(err, &ve):
		return ve.Error()
	case errors.As(err, &se):
		return se.Error()
	case status == http.StatusNotFound:
		return "not found"
	case errors.As(err, &mbe):
		return "request body too large"
	case code == "closed":
		return errClosedText
	}
	return err.Error()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
