package sms

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/twilio/twilio-go/client"
)

// MaxWebhookBody is the largest webhook body VerifyRequest reads. Twilio's
// messaging webhooks are a few kilobytes.
const MaxWebhookBody = 64 << 10

// SignatureHeader is the header in which Twilio signs its webhooks.
const SignatureHeader = "X-Twilio-Signature"

// EmptyTwiML is the answer to a webhook that asks Twilio to do nothing more;
// serve it as "text/xml".
const EmptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// RequestError is a webhook request refused. Status is the HTTP status to
// answer: 403 for a missing or wrong signature, 413 for a body over
// MaxWebhookBody, 405 for a method other than POST, 400 for a malformed form
// or payload.
type RequestError struct {
	// Status is the HTTP status for the answer.
	Status int
	// Reason says what is wrong, for the answer and the log.
	Reason string

	err error
}

// Error implements error.
func (e *RequestError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("sms: webhook: %s: %v", e.Reason, e.err)
	}
	return "sms: webhook: " + e.Reason
}

// Unwrap returns the underlying error, if any.
func (e *RequestError) Unwrap() error { return e.err }

func badRequest(reason string, err error) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Reason: reason, err: err}
}

// VerifyRequest reads the form Twilio posted in r and checks its signature
// with authToken against the URL Twilio called: publicURL (scheme, host and
// any path prefix a proxy strips, as in PARLEY_PUBLIC_URL) followed by the
// request's path and query. It returns the form only when the signature
// matches; otherwise a *RequestError. A form that repeats a key is refused,
// since twilio-go signs only the first value of each key. It is ReadRequest
// followed by Verify, for callers that know the auth token before reading.
func VerifyRequest(r *http.Request, publicURL, authToken string) (url.Values, error) {
	form, err := ReadRequest(r)
	if err != nil {
		return nil, err
	}
	if err := Verify(r, form, publicURL, authToken); err != nil {
		return nil, err
	}
	return form, nil
}

// ReadRequest reads the form Twilio posted in r without checking its
// signature, for callers that must read the form (its AccountSid and numbers)
// to find the auth token to check it with; nothing in the form may be trusted
// before Verify succeeds. It refuses with a *RequestError: 405 for a method
// other than POST, 413 for a body over MaxWebhookBody, 400 for another
// content type, a malformed form or a repeated key.
func ReadRequest(r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, &RequestError{Status: http.StatusMethodNotAllowed, Reason: "method " + r.Method + " not allowed"}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, badRequest("content type is not application/x-www-form-urlencoded", err)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBody+1))
	if err != nil {
		return nil, badRequest("read body", err)
	}
	if len(body) > MaxWebhookBody {
		return nil, &RequestError{Status: http.StatusRequestEntityTooLarge, Reason: "body over 64 KiB"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badRequest("malformed form", err)
	}
	for k, vs := range form {
		if len(vs) != 1 {
			return nil, badRequest("form repeats "+k, nil)
		}
	}
	return form, nil
}

// Verify checks the X-Twilio-Signature of r, whose form ReadRequest returned,
// with authToken against publicURL followed by r's path and query (see
// VerifyRequest). A missing or wrong signature is a *RequestError with status
// 403.
func Verify(r *http.Request, form url.Values, publicURL, authToken string) error {
	signature := r.Header.Get(SignatureHeader)
	if signature == "" {
		return &RequestError{Status: http.StatusForbidden, Reason: "missing " + SignatureHeader}
	}
	params := make(map[string]string, len(form))
	for k := range form {
		params[k] = form.Get(k)
	}
	fullURL := strings.TrimSuffix(publicURL, "/") + r.URL.RequestURI()
	validator := client.NewRequestValidator(authToken)
	if authToken == "" || !validator.Validate(fullURL, params, signature) {
		return &RequestError{Status: http.StatusForbidden, Reason: "signature does not match", err: errors.New("url " + fullURL)}
	}
	return nil
}
