package sms

import (
	"encoding/json"
	"errors"
	"net/http"
)

// answerTwiML acknowledges a webhook: 200 with EmptyTwiML, so Twilio sends
// nothing back to the customer by itself.
func answerTwiML(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(EmptyTwiML))
}

// answerError refuses a webhook with the JSON error body the rest of
// Parley's HTTP surface uses: a *RequestError with its status and reason,
// errUnknownAccount as 403, anything else as a logged 500 without detail
// (Twilio retries or reports it in its console).
func (c *Twilio) answerError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := http.StatusInternalServerError, "internal", "internal error"
	var re *RequestError
	switch {
	case errors.As(err, &re):
		status, msg = re.Status, re.Reason
		code = codeOf(re.Status)
		c.log.Warn("twilio webhook refused", "path", r.URL.Path, "status", status, "err", err)
	case errors.Is(err, errUnknownAccount):
		status, code, msg = http.StatusForbidden, "forbidden", errUnknownAccount.Error()
		c.log.Warn("twilio webhook refused", "path", r.URL.Path, "status", status, "err", err)
	default:
		c.log.Error("twilio webhook failed", "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg, "code": code})
}

// codeOf names the statuses a RequestError carries, as web/errors.go does.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	}
	return "error"
}
