// Package httperr is the one JSON error body of Parley's HTTP surface. The web API and the
// channels' webhooks and visitor endpoints answer a refused or failed request with
//
//	{"error": "what is wrong, for a person", "code": "a_stable_word_for_programs"}
//
// written by Write. A provider's own protocol (Twilio's TwiML, Slack's challenge) stays the
// channel's; this is only the error answer. A request that failed because the database is
// unreachable or too slow (Unavailable) is answered 503 with Retry-After (Failed,
// WriteUnavailable), never 500.
package httperr

import (
	"encoding/json"
	"net/http"
)

// Body is the JSON of an error answer.
type Body struct {
	Error string `json:"error"` // what is wrong; never an internal detail
	Code  string `json:"code"`  // a stable word: "bad_request", "not_found", "too_large", ...
}

// Write answers status with the Body of code and msg, as application/json.
func Write(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Body{Error: msg, Code: code}) // a failed write: the client left
}

// Internal answers 500 without detail ({"error": "internal error", "code": "internal"}); the
// caller logs what failed.
func Internal(w http.ResponseWriter) {
	Write(w, http.StatusInternalServerError, "internal", "internal error")
}

// Code is the code of status when nothing more precise names the error: "bad_request",
// "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "too_large",
// "internal", "unavailable", and "error" for any other status.
func Code(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusInternalServerError:
		return "internal"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "error"
}
