package sms

import (
	"errors"
	"net/http"

	"github.com/parleyhq/parley/internal/httperr"
)

// answerTwiML acknowledges a webhook: 200 with EmptyTwiML, so Twilio sends
// nothing back to the customer by itself.
func answerTwiML(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(EmptyTwiML))
}

// answerError refuses a webhook with the JSON error body of Parley's HTTP surface
// (httperr): a *RequestError with its status and reason, errUnknownAccount as 403, anything
// else as a logged 500 without detail (Twilio retries or reports it in its console).
func (c *Twilio) answerError(w http.ResponseWriter, r *http.Request, err error) {
	var re *RequestError
	switch {
	case errors.As(err, &re):
		c.log.Warn("twilio webhook refused", "path", r.URL.Path, "status", re.Status, "err", err)
		httperr.Write(w, re.Status, httperr.Code(re.Status), re.Reason)
	case errors.Is(err, errUnknownAccount):
		c.log.Warn("twilio webhook refused", "path", r.URL.Path, "status", http.StatusForbidden, "err", err)
		httperr.Write(w, http.StatusForbidden, "forbidden", errUnknownAccount.Error())
	default:
		c.log.Error("twilio webhook failed", "path", r.URL.Path, "err", err)
		httperr.Failed(w, err) // 503 with Retry-After while the database is down
	}
}
