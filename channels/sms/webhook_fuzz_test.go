package sms_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/edgetest"
)

// FuzzInboundWebhook posts arbitrary forms to the inbound SMS webhook, signed as Twilio signs
// them (HMAC-SHA1 of the URL and the sorted parameters, in X-Twilio-Signature), on a real
// database. The fuzzer picks the MessageSid, From and Body and may add or override any
// parameter with extra (a query string). The promise: never a 500; nothing stored unless
// answered 200; a 200 leaves the message stored exactly once.
func FuzzInboundWebhook(f *testing.F) {
	sid := smstest.NewSID("SM")
	for _, s := range []struct{ sid, from, body, extra string }{
		{sid, customer, "hello", ""},
		{smstest.NewSID("SM"), "+1 (415) 555-0123", "STOP", ""},
		{smstest.NewSID("SM"), customer, "with\x00nul", "FromCity=Lon%00don&FromCountry=G%00B"},
		{smstest.NewSID("SM"), customer, "bad \xff\xfe utf8", "FromState=%C3%28"},
		{smstest.NewSID("SM"), customer, strings.Repeat("x", 60_000), ""},
		{smstest.NewSID("SM"), customer, "", "NumMedia=1&MediaUrl0=https://api.twilio.com/m%00&MediaContentType0=image/p%00ng"},
		{smstest.NewSID("SM"), customer, "", "NumMedia=1&MediaUrl0=%FF&MediaContentType0=%C3%28"},
		{smstest.NewSID("MM"), customer, "", "NumMedia=1&MediaUrl0=https://api.twilio.com/m&MediaContentType0=image/p%00ng%FF"},
		{smstest.NewSID("SM"), customer, "x", "NumMedia=two"},
		{smstest.NewSID("SM"), customer, "x", "NumMedia=-1"},
		{smstest.NewSID("SM"), customer, "x", "NumMedia=99999999999999999999"},
		{smstest.NewSID("SM"), customer, "x", "To=%2B14155550100%00"},
		{smstest.NewSID("SM"), customer, "x", "MessagingServiceSid=MG%00"},
		{"SM\x00", customer, "x", ""},
		{"", customer, "x", "SmsSid=" + smstest.NewSID("SM")},
		{smstest.NewSID("SM"), "+44\x007700900123", "x", ""},
		{smstest.NewSID("SM"), "\xff", "x", ""},
		{smstest.NewSID("SM"), customer, "x", "AccountSid=AC%00"},
		{sid, customer, "hello again, same sid", ""},
	} {
		f.Add(s.sid, s.from, s.body, s.extra)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, sid, from, body, extra string) {
		form := smstest.InboundForm(smstest.SMS{AccountSID: accountSID, From: from, To: ourNumber, Body: body})
		form.Set("MessageSid", sid)
		form.Set("SmsSid", sid)
		more, _ := url.ParseQuery(extra)
		for k, v := range more {
			form[k] = v
		}
		status, _ := edgetest.Check(t, e.messages, func() (int, string) {
			w := e.post(e.ch.InboundHandler(), sms.InboundPath, form)
			return w.Code, w.Body.String()
		}, func(status int) bool { return status == http.StatusOK })
		if status != http.StatusOK {
			return
		}
		sids := []string{form.Get("MessageSid"), form.Get("SmsSid")}
		if n := e.count(t, `SELECT count(*) FROM messages WHERE channel = 'sms' AND external_id = ANY($1)`, sids); n != 1 {
			t.Fatalf("acknowledged %v stored %d times", sids, n)
		}
	})
}

// messages counts the stored messages.
func (e *env) messages(t *testing.T) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM messages`)
}

// FuzzStatusWebhook posts delivery status callbacks built from arbitrary fields, signed as
// Twilio signs them, for a reply Twilio took: never a 500, and never a message stored; the
// reply's status stays one the inbox knows.
func FuzzStatusWebhook(f *testing.F) {
	for _, s := range []struct {
		status string
		code   int
		extra  string
	}{
		{"delivered", 0, ""},
		{"undelivered", 30003, ""},
		{"failed", 30008, "ErrorMessage=bro%00ken"},
		{"deli\x00vered", 0, ""},
		{"sent", -1, "RawDlrDoneDate=%00%FF"},
		{"read", 0, "MessageSid=SM%00"},
		{"failed", 99999999, "ErrorCode=1e9999"},
	} {
		f.Add(s.status, s.code, s.extra)
	}
	e := newEnv(f)
	reply, sent := sentReply(f, e)
	f.Fuzz(func(t *testing.T, status string, code int, extra string) {
		form := smstest.StatusForm(sent.Callback(status, code))
		more, _ := url.ParseQuery(extra)
		for k, v := range more {
			form[k] = v
		}
		_, added := edgetest.Check(t, e.messages, func() (int, string) {
			w := e.post(e.ch.StatusHandler(), sms.StatusPath, form)
			return w.Code, w.Body.String()
		}, func(status int) bool { return status == http.StatusOK })
		if added != 0 {
			t.Fatalf("a status callback stored %d messages", added)
		}
		switch m := e.message(t, reply.ID); m.DeliveryStatus {
		case inbox.DeliverySent, inbox.DeliveryDelivered, inbox.DeliveryUndelivered, inbox.DeliveryFailed:
		default:
			t.Fatalf("reply status %q", m.DeliveryStatus)
		}
	})
}
