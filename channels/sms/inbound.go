package sms

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxMedia is the most attachments Twilio puts in one incoming message.
const maxMedia = 10

// Inbound is a message a customer sent to one of the account's numbers.
type Inbound struct {
	// MessageSID is Twilio's id ("SM..." or "MM..."), unique per message:
	// the idempotency key of the webhook.
	MessageSID string
	// AccountSID is the Twilio account the message arrived on.
	AccountSID string
	// From is the customer's number in E.164 ("+14155550100").
	From string
	// To is the account's number in E.164, or a short code's digits.
	To string
	// Body is the text as sent; it may be empty when Media is not.
	Body string
	// Media are the attachments of an MMS, in Twilio's order.
	Media []Media
}

// Media is one MMS attachment, stored by Twilio.
type Media struct {
	// URL is where Twilio serves the file (fetching it needs the account's
	// credentials unless media access is public).
	URL string
	// ContentType is the file's MIME type, such as "image/jpeg".
	ContentType string
}

// ParseInbound reads the form of an incoming-message webhook, after
// VerifyRequest. Junk (a missing or malformed SID, a sender that is not a
// phone number, a bad media list) is a *RequestError with status 400.
func ParseInbound(form url.Values) (Inbound, error) {
	in := Inbound{Body: form.Get("Body")}
	var err error
	if in.MessageSID, err = messageSID(form); err != nil {
		return Inbound{}, err
	}
	if in.AccountSID, err = accountSID(form); err != nil {
		return Inbound{}, err
	}
	if in.From, err = e164(form.Get("From")); err != nil {
		return Inbound{}, badRequest("bad From number", err)
	}
	if in.To, err = recipient(form.Get("To")); err != nil {
		return Inbound{}, badRequest("bad To number", err)
	}
	if in.Media, err = parseMedia(form); err != nil {
		return Inbound{}, err
	}
	return in, nil
}

// messageSID reads MessageSid, or the older SmsSid when it is absent.
func messageSID(form url.Values) (string, error) {
	sid := form.Get("MessageSid")
	if sid == "" {
		sid = form.Get("SmsSid")
	}
	if !isSID(sid, "SM") && !isSID(sid, "MM") {
		return "", badRequest(fmt.Sprintf("MessageSid %q is not a message SID", sid), nil)
	}
	return sid, nil
}

func accountSID(form url.Values) (string, error) {
	sid := form.Get("AccountSid")
	if !isSID(sid, "AC") {
		return "", badRequest(fmt.Sprintf("AccountSid %q is not an account SID", sid), nil)
	}
	return sid, nil
}

// isSID reports whether s is a Twilio SID with the given prefix: the prefix
// and 32 hexadecimal digits.
func isSID(s, prefix string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, prefix) {
		return false
	}
	return strings.Trim(s[2:], "0123456789abcdefABCDEF") == ""
}

func parseMedia(form url.Values) ([]Media, error) {
	raw := form.Get("NumMedia")
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxMedia {
		return nil, badRequest(fmt.Sprintf("NumMedia %q is not a count from 0 to %d", raw, maxMedia), err)
	}
	var media []Media
	for i := range n {
		key := "MediaUrl" + strconv.Itoa(i)
		u, err := url.Parse(form.Get(key))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, badRequest(fmt.Sprintf("%s %q is not an http(s) URL", key, form.Get(key)), err)
		}
		media = append(media, Media{
			URL:         u.String(),
			ContentType: form.Get("MediaContentType" + strconv.Itoa(i)),
		})
	}
	return media, nil
}

// E164 normalizes a phone number in international form ("+" and the
// country code; spaces, dots, dashes and parentheses allowed) to E.164. It
// returns an error for anything else: letters, a missing "+", a channel
// address such as "whatsapp:+1...", or a length no number of that country
// has.
func E164(s string) (string, error) {
	n, err := e164(s)
	if err != nil {
		return "", fmt.Errorf("sms: e164: %w", err)
	}
	return n, nil
}

func e164(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("%q does not start with +", s)
	}
	for _, c := range s[1:] {
		if !strings.ContainsRune("0123456789 -.()", c) {
			return "", fmt.Errorf("%q contains %q", s, c)
		}
	}
	num, err := phonenumbers.Parse(s, "")
	if err != nil {
		return "", fmt.Errorf("%q: %w", s, err)
	}
	if !phonenumbers.IsPossibleNumber(num) {
		return "", fmt.Errorf("%q is not a possible phone number", s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// recipient normalizes the number a message was sent to: an E.164 number or
// a short code of 3 to 8 digits.
func recipient(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && len(s) <= 8 && strings.Trim(s, "0123456789") == "" {
		return s, nil
	}
	return e164(s)
}
