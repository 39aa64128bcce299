package smstest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// maxBody is Twilio's limit on a message body, in UTF-16 units.
const maxBody = 1600

// NewSID returns a random Twilio-shaped SID: prefix ("SM", "MM", "AC", ...)
// and 32 lowercase hex digits.
func NewSID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b)
}

// newMessage checks a create-message form as Twilio does and returns the
// message, or the error Twilio would answer.
func newMessage(accountSID string, form url.Values) (Message, *apiError) {
	m := Message{
		SID:                 NewSID("SM"),
		AccountSID:          accountSID,
		From:                form.Get("From"),
		MessagingServiceSID: form.Get("MessagingServiceSid"),
		To:                  form.Get("To"),
		Body:                form.Get("Body"),
		StatusCallback:      form.Get("StatusCallback"),
		Status:              "queued",
		Form:                form,
		Created:             time.Now().UTC(),
	}
	if m.From == "" {
		m.Status = "accepted"
	}
	fail := func(code int, message string) (Message, *apiError) {
		e := newAPIError(http.StatusBadRequest, code, message)
		return Message{}, &e
	}
	switch {
	case m.To == "":
		return fail(21604, "A 'To' phone number is required.")
	case !isE164(m.To):
		return fail(21211, "Invalid 'To' Phone Number: "+m.To)
	case m.From == "" && m.MessagingServiceSID == "":
		return fail(21603, "A 'From' phone number is required.")
	case m.From != "" && !isE164(m.From):
		return fail(21212, "Invalid From Number (caller ID): "+m.From)
	case m.From == "" && !isSID(m.MessagingServiceSID, "MG"):
		return fail(21701, "The Messaging Service Sid "+m.MessagingServiceSID+" is invalid.")
	case m.Body == "" && form.Get("MediaUrl") == "":
		return fail(21602, "Message body is required.")
	case width(m.Body) > maxBody:
		return fail(21617, "The concatenated message body exceeds the 1600 character limit.")
	case m.StatusCallback != "" && !isHTTPURL(m.StatusCallback):
		return fail(21609, "Invalid StatusCallback url: "+m.StatusCallback)
	case len(form["MediaUrl"]) > maxMedia:
		return fail(21623, "Too many media URLs. The maximum is 10.")
	}
	for _, u := range form["MediaUrl"] {
		if !isHTTPURL(u) {
			return fail(21620, "Invalid media URL(s)")
		}
	}
	return m, nil
}

// messageJSON is Twilio's Message resource as the create call answers it.
type messageJSON struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateSent            *string           `json:"date_sent"`
	DateUpdated         string            `json:"date_updated"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                *string           `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

func messageResource(m Message) messageJSON {
	now := m.Created.Format(time.RFC1123Z)
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.SID
	res := messageJSON{
		AccountSID:      m.AccountSID,
		APIVersion:      "2010-04-01",
		Body:            m.Body,
		DateCreated:     now,
		DateUpdated:     now,
		Direction:       "outbound-api",
		NumMedia:        strconv.Itoa(len(m.Form["MediaUrl"])),
		NumSegments:     strconv.Itoa(segments(m.Body)),
		PriceUnit:       "USD",
		SID:             m.SID,
		Status:          m.Status,
		SubresourceURIs: map[string]string{"media": uri + "/Media.json"},
		To:              m.To,
		URI:             uri + ".json",
	}
	if m.From != "" {
		res.From = &m.From
	} else {
		res.NumSegments = "0" // no sender is picked yet
	}
	if m.MessagingServiceSID != "" {
		res.MessagingServiceSID = &m.MessagingServiceSID
	}
	return res
}

// segments approximates how many SMS segments body takes: 160 characters
// (153 when concatenated) for plain ASCII, 70 (67) for anything else. Real
// GSM-7 also covers a few non-ASCII letters.
func segments(body string) int {
	n, single, multi := width(body), 160, 153
	for _, r := range body {
		if r >= 0x80 {
			single, multi = 70, 67
			break
		}
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

func width(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// isE164 reports whether s is "+" and 2 to 15 digits, the first not 0.
func isE164(s string) bool {
	d := strings.TrimPrefix(s, "+")
	return len(d) == len(s)-1 && len(d) >= 2 && len(d) <= 15 && d[0] != '0' &&
		strings.Trim(d, "0123456789") == ""
}

func isSID(s, prefix string) bool {
	return len(s) == 34 && strings.HasPrefix(s, prefix) &&
		strings.Trim(s[2:], "0123456789abcdef") == ""
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
