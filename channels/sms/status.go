package sms

import (
	"fmt"
	"net/url"
	"strconv"
)

// Status is one delivery status callback for a message Parley sent.
type Status struct {
	// MessageSID is the id Send returned ("SM..." or "MM...").
	MessageSID string
	// Status is Twilio's message status: queued, sending, sent, delivered,
	// undelivered, failed, read, ... (see Advances).
	Status string
	// ErrorCode is Twilio's error code for failed and undelivered
	// messages; 0 when none.
	ErrorCode int
	// ErrorMessage explains ErrorCode to an agent: Twilio's ErrorMessage
	// when it sends one, else Parley's words for the codes it knows.
	ErrorMessage string
}

// ParseStatus reads the form of a status callback, after VerifyRequest.
// A missing or malformed MessageSid, an unknown MessageStatus or a
// non-numeric ErrorCode is a *RequestError with status 400.
func ParseStatus(form url.Values) (Status, error) {
	sid, err := messageSID(form)
	if err != nil {
		return Status{}, err
	}
	st := Status{MessageSID: sid, Status: form.Get("MessageStatus")}
	if st.Status == "" {
		st.Status = form.Get("SmsStatus")
	}
	if statusRank(st.Status) == 0 {
		return Status{}, badRequest(fmt.Sprintf("MessageStatus %q is not an outbound message status", st.Status), nil)
	}
	if raw := form.Get("ErrorCode"); raw != "" {
		code, err := strconv.Atoi(raw)
		if err != nil || code < 0 {
			return Status{}, badRequest(fmt.Sprintf("ErrorCode %q is not a number", raw), err)
		}
		st.ErrorCode = code
	}
	st.ErrorMessage = form.Get("ErrorMessage")
	if st.ErrorMessage == "" {
		st.ErrorMessage = describe(st.ErrorCode)
	}
	return st, nil
}

// Advances reports whether a callback saying next may replace the recorded
// status old. Twilio posts callbacks in any order, so a status only moves
// forward through
//
//	accepted, scheduled < queued < sending < sent < delivered, undelivered, failed, canceled, partially_delivered < read
//
// The outcomes (delivered, undelivered, failed, canceled,
// partially_delivered) share one rank: the first outcome recorded stands,
// and a late "sent" never overwrites "delivered" nor "failed". Only "read"
// comes after an outcome. An unknown next never advances; an empty or
// unknown old is advanced by any known next.
func Advances(old, next string) bool {
	return statusRank(next) > statusRank(old)
}

// Failed reports whether status is an outcome in which the message did not
// reach the recipient: undelivered, failed or canceled.
func Failed(status string) bool {
	switch status {
	case "undelivered", "failed", "canceled":
		return true
	}
	return false
}

// statusRank orders outbound statuses; 0 means not an outbound status.
func statusRank(status string) int {
	switch status {
	case "accepted", "scheduled":
		return 1
	case "queued":
		return 2
	case "sending":
		return 3
	case "sent":
		return 4
	case "delivered", "undelivered", "failed", "canceled", "partially_delivered":
		return 5
	case "read":
		return 6
	}
	return 0
}
