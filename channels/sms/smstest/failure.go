package smstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Failure is a scripted way for the fake to refuse a message (see
// Server.FailNext).
type Failure int

// The failures Server.FailNext can script, each answered as Twilio does.
const (
	// InvalidNumber answers 400 with code 21211 (invalid 'To' number).
	InvalidNumber Failure = iota + 1
	// Unsubscribed answers 400 with code 21610 (the recipient replied
	// STOP).
	Unsubscribed
	// RateLimited answers 429 with code 20429.
	RateLimited
	// ServerError answers 500 with code 20500.
	ServerError
	// Disconnect closes the connection without an answer.
	Disconnect
	// RateLimitedRetryAfter answers 429 with code 20429 and a Retry-After header of
	// RetryAfterSeconds, as Twilio does when it asks the caller to wait.
	RateLimitedRetryAfter
)

// RetryAfterSeconds is the Retry-After of a RateLimitedRetryAfter answer.
const RetryAfterSeconds = 1

// apiError is Twilio's JSON error body.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

func newAPIError(status, code int, message string) apiError {
	return apiError{
		Status:   status,
		Code:     code,
		Message:  message,
		MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	}
}

func errAuthenticate() apiError {
	return newAPIError(http.StatusUnauthorized, 20003, "Authenticate")
}

func errNotFound(path string) apiError {
	return newAPIError(http.StatusNotFound, 20404, "The requested resource "+path+" was not found")
}

func (f Failure) answer(w http.ResponseWriter) {
	switch f {
	case InvalidNumber:
		writeError(w, newAPIError(http.StatusBadRequest, 21211, "Invalid 'To' Phone Number"))
	case Unsubscribed:
		writeError(w, newAPIError(http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient"))
	case RateLimited:
		writeError(w, newAPIError(http.StatusTooManyRequests, 20429, "Too Many Requests"))
	case RateLimitedRetryAfter:
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		writeError(w, newAPIError(http.StatusTooManyRequests, 20429, "Too Many Requests"))
	case ServerError:
		writeError(w, newAPIError(http.StatusInternalServerError, 20500, "Internal Server Error"))
	case Disconnect:
		hijack(w)
	default:
		panic(fmt.Sprintf("smstest: unknown failure %d", f))
	}
}

// hijack closes the client's connection without writing an answer.
func hijack(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("smstest: response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic("smstest: hijack: " + err.Error())
	}
	_ = conn.Close()
}

func writeError(w http.ResponseWriter, e apiError) {
	writeJSON(w, e.Status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
