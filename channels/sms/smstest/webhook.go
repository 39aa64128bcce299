package smstest

import (
	"net/url"
	"strconv"
	"strings"
)

// SMS is an incoming message for InboundForm.
type SMS struct {
	// MessageSID is Twilio's id; empty means a new random one ("SM..."
	// without media, "MM..." with).
	MessageSID string
	// AccountSID is the account the message arrives on.
	AccountSID string
	// MessagingServiceSID is set when the number belongs to a messaging
	// service.
	MessagingServiceSID string
	// From is the customer's number, To the account's, both E.164.
	From, To string
	// Body is the text.
	Body string
	// Media are MMS attachments.
	Media []Attachment
}

// Attachment is one MMS attachment.
type Attachment struct {
	// URL is where Twilio serves the file.
	URL string
	// ContentType is its MIME type.
	ContentType string
}

// InboundForm returns the form Twilio posts to an incoming-message webhook
// for m, with every field Twilio sends for an SMS or MMS (the geographic
// ones empty, except the country of +1 numbers).
func InboundForm(m SMS) url.Values {
	sid := m.MessageSID
	if sid == "" {
		sid = NewSID("SM")
		if len(m.Media) > 0 {
			sid = NewSID("MM")
		}
	}
	f := url.Values{
		"MessageSid":    {sid},
		"SmsMessageSid": {sid},
		"SmsSid":        {sid},
		"AccountSid":    {m.AccountSID},
		"From":          {m.From},
		"To":            {m.To},
		"Body":          {m.Body},
		"NumMedia":      {strconv.Itoa(len(m.Media))},
		"NumSegments":   {strconv.Itoa(segments(m.Body))},
		"SmsStatus":     {"received"},
		"ApiVersion":    {"2010-04-01"},
		"FromCity":      {""},
		"FromState":     {""},
		"FromZip":       {""},
		"FromCountry":   {country(m.From)},
		"ToCity":        {""},
		"ToState":       {""},
		"ToZip":         {""},
		"ToCountry":     {country(m.To)},
	}
	if m.MessagingServiceSID != "" {
		f.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	for i, a := range m.Media {
		n := strconv.Itoa(i)
		f.Set("MediaUrl"+n, a.URL)
		f.Set("MediaContentType"+n, a.ContentType)
	}
	return f
}

// country guesses the ISO country of an E.164 number well enough for a
// fake: "US" for +1, empty otherwise.
func country(number string) string {
	if strings.HasPrefix(number, "+1") {
		return "US"
	}
	return ""
}

// Callback is a delivery status change for StatusForm.
type Callback struct {
	// MessageSID is the message's id, as the send answered it.
	MessageSID string
	// AccountSID, MessagingServiceSID, From and To are the message's.
	AccountSID, MessagingServiceSID, From, To string
	// Status is the new status: sent, delivered, undelivered, failed, ...
	Status string
	// ErrorCode is set for failed and undelivered messages (30003, ...).
	ErrorCode int
	// RawDlrDoneDate is the carrier's delivery time ("YYMMDDhhmm"), which
	// Twilio adds to delivered and undelivered callbacks when it has one.
	RawDlrDoneDate string
}

// Callback returns the status callback Twilio would post for m reaching
// status, with errorCode (0 for none).
func (m Message) Callback(status string, errorCode int) Callback {
	return Callback{
		MessageSID:          m.SID,
		AccountSID:          m.AccountSID,
		MessagingServiceSID: m.MessagingServiceSID,
		From:                m.From,
		To:                  m.To,
		Status:              status,
		ErrorCode:           errorCode,
	}
}

// StatusForm returns the form Twilio posts to a message's StatusCallback.
func StatusForm(c Callback) url.Values {
	f := url.Values{
		"MessageSid":    {c.MessageSID},
		"SmsSid":        {c.MessageSID},
		"MessageStatus": {c.Status},
		"SmsStatus":     {c.Status},
		"AccountSid":    {c.AccountSID},
		"From":          {c.From},
		"To":            {c.To},
		"ApiVersion":    {"2010-04-01"},
	}
	if c.MessagingServiceSID != "" {
		f.Set("MessagingServiceSid", c.MessagingServiceSID)
	}
	if c.ErrorCode != 0 {
		f.Set("ErrorCode", strconv.Itoa(c.ErrorCode))
	}
	if c.RawDlrDoneDate != "" {
		f.Set("RawDlrDoneDate", c.RawDlrDoneDate)
	}
	return f
}
