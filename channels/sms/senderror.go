package sms

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/twilio/twilio-go/client"
)

// Twilio error codes this package names. The full list is at
// https://www.twilio.com/docs/api/errors.
const (
	codeAuthenticate     = 20003
	codeNotFound         = 20404
	codeTooManyRequests  = 20429
	codeInternal         = 20500
	codeInvalidTo        = 21211
	codeGeoPermission    = 21408
	codeBodyRequired     = 21602
	codeFromNotCapable   = 21606
	codeUnsubscribed     = 21610
	codeUnreachableTo    = 21612
	codeNotMobile        = 21614
	codeBodyTooLong      = 21617
	codeQueueOverflow    = 30001
	codeAccountSuspended = 30002
	codeUnreachable      = 30003
	codeBlocked          = 30004
	codeUnknownNumber    = 30005
	codeLandline         = 30006
	codeFiltered         = 30007
	codeUnknownFailure   = 30008
	codeMissingSegment   = 30009
	codeMessageExpired   = 30010
)

// SendError is why Twilio did not take a message.
type SendError struct {
	// Status is Twilio's HTTP status; 0 when no answer came (a network
	// failure) or the message was refused before sending.
	Status int
	// Code is Twilio's error code (21211, 21610, ...); 0 when none.
	Code int
	// Message says what went wrong in words an agent understands.
	Message string
	// Temporary reports whether sending the same message again may work:
	// true for 429, 5xx and network failures, false otherwise.
	Temporary bool
	// RetryAfter is how long Twilio asked to wait (its Retry-After header on
	// a 429 or 503); zero when it did not say.
	RetryAfter time.Duration

	err error
}

// Error implements error.
func (e *SendError) Error() string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("sms: send: twilio %d (code %d): %s", e.Status, e.Code, e.Message)
	case e.Status != 0:
		return fmt.Sprintf("sms: send: twilio %d: %s", e.Status, e.Message)
	default:
		return "sms: send: " + e.Message
	}
}

// Unwrap returns the underlying error (from twilio-go or the network).
func (e *SendError) Unwrap() error { return e.err }

// classify turns a failed CreateMessage into a SendError. status is the HTTP
// status of the last answer, 0 when there was none.
func classify(err error, status int) *SendError {
	var rest *client.TwilioRestError
	if errors.As(err, &rest) {
		if rest.Status != 0 {
			status = rest.Status
		}
		return newSendError(status, rest.Code, rest.Message, err)
	}
	if status >= http.StatusOK && status < http.StatusBadRequest {
		// Twilio took the message but its answer was unreadable: sending
		// again could deliver it twice, so this is not temporary.
		return &SendError{
			Status:  status,
			Message: "Twilio accepted the message but its answer could not be read.",
			err:     err,
		}
	}
	return newSendError(status, 0, "", err)
}

func newSendError(status, code int, twilioMessage string, err error) *SendError {
	temporary := status == 0 || status == http.StatusTooManyRequests || status >= 500
	msg := describe(code)
	switch {
	case msg != "":
	case twilioMessage != "":
		msg = twilioMessage
	case status == 0:
		msg = "Twilio could not be reached."
	case temporary:
		msg = fmt.Sprintf("Twilio is unavailable (HTTP %d).", status)
	default:
		msg = fmt.Sprintf("Twilio refused the message (HTTP %d).", status)
	}
	return &SendError{Status: status, Code: code, Message: msg, Temporary: temporary, err: err}
}

// describe explains a Twilio error code to an agent; "" when the code is not
// one Parley knows.
func describe(code int) string {
	switch code {
	case codeAuthenticate:
		return "Twilio rejected the account SID or auth token."
	case codeNotFound:
		return "Twilio does not know this account."
	case codeTooManyRequests:
		return "Twilio is limiting the rate of requests."
	case codeInternal:
		return "Twilio had an internal error."
	case codeInvalidTo:
		return "The recipient's phone number is not valid."
	case codeGeoPermission:
		return "The Twilio account may not send to this country."
	case codeBodyRequired:
		return "The message is empty."
	case codeFromNotCapable:
		return "The sending number cannot send SMS."
	case codeUnsubscribed:
		return "The recipient has opted out by replying STOP; they must text START to receive messages again."
	case codeUnreachableTo:
		return "Twilio cannot reach the recipient's number."
	case codeNotMobile:
		return "The recipient's number is not a mobile number."
	case codeBodyTooLong:
		return "The message is longer than 1,600 characters."
	case codeQueueOverflow:
		return "Too many messages were queued for the sending number."
	case codeAccountSuspended:
		return "The Twilio account is suspended."
	case codeUnreachable:
		return "The recipient's phone is off or out of coverage."
	case codeBlocked:
		return "The recipient or their carrier blocked the message."
	case codeUnknownNumber:
		return "The recipient's number does not exist or is no longer in service."
	case codeLandline:
		return "The recipient's number is a landline or cannot receive SMS."
	case codeFiltered:
		return "The carrier filtered the message as spam."
	case codeUnknownFailure:
		return "The carrier could not deliver the message."
	case codeMissingSegment:
		return "Part of the message was lost in delivery."
	case codeMessageExpired:
		return "The message expired before it could be delivered."
	}
	return ""
}
