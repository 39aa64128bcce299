package sms_test

import (
	"net/url"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
)

func callback(status string, errorCode int) smstest.Callback {
	return smstest.Message{
		SID: smstest.NewSID("SM"), AccountSID: accountSID, From: "+14155550100", To: "+447700900123",
	}.Callback(status, errorCode)
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	delivered := callback("delivered", 0)
	undelivered := callback("undelivered", 30003)
	withMessage := smstest.StatusForm(callback("failed", 30008))
	withMessage.Set("ErrorMessage", "Unknown error")
	onlySmsStatus := smstest.StatusForm(callback("sent", 0))
	onlySmsStatus.Del("MessageStatus")

	tests := []struct {
		name string
		form url.Values
		want sms.Status
	}{
		{"delivered", smstest.StatusForm(delivered), sms.Status{MessageSID: delivered.MessageSID, Status: "delivered"}},
		{"undelivered with a known code", smstest.StatusForm(undelivered), sms.Status{
			MessageSID: undelivered.MessageSID, Status: "undelivered", ErrorCode: 30003,
			ErrorMessage: "The recipient's phone is off or out of coverage.",
		}},
		{"Twilio's own error message", withMessage, sms.Status{
			MessageSID: withMessage.Get("MessageSid"), Status: "failed", ErrorCode: 30008, ErrorMessage: "Unknown error",
		}},
		{"only SmsStatus", onlySmsStatus, sms.Status{MessageSID: onlySmsStatus.Get("MessageSid"), Status: "sent"}},
	}
	for _, tt := range tests {
		got, err := sms.ParseStatus(tt.form)
		if err != nil || got != tt.want {
			t.Errorf("%s: ParseStatus = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestParseStatusRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]func(url.Values){
		"no SID":             func(f url.Values) { f.Del("MessageSid"); f.Del("SmsSid") },
		"inbound status":     func(f url.Values) { f.Set("MessageStatus", "received") },
		"unknown status":     func(f url.Values) { f.Set("MessageStatus", "DELIVERED") },
		"no status":          func(f url.Values) { f.Del("MessageStatus"); f.Del("SmsStatus") },
		"ErrorCode not int":  func(f url.Values) { f.Set("ErrorCode", "30003x") },
		"ErrorCode negative": func(f url.Values) { f.Set("ErrorCode", "-1") },
	}
	fresh := func() url.Values { return smstest.StatusForm(callback("delivered", 0)) }
	expectBadRequest(t, fresh, func(f url.Values) error {
		_, err := sms.ParseStatus(f)
		return err
	}, tests)
}

func TestAdvances(t *testing.T) {
	t.Parallel()
	tests := []struct {
		old, next string
		want      bool
	}{
		{"", "queued", true},
		{"", "delivered", true},
		{"accepted", "queued", true},
		{"queued", "sending", true},
		{"queued", "sent", true},
		{"sending", "sent", true},
		{"sent", "delivered", true},
		{"sent", "undelivered", true},
		{"sent", "failed", true},
		{"queued", "failed", true},
		{"delivered", "read", true},
		{"delivered", "sent", false}, // a late "sent" never overwrites "delivered"
		{"delivered", "queued", false},
		{"failed", "sent", false},
		{"delivered", "undelivered", false}, // the first outcome stands
		{"undelivered", "delivered", false},
		{"failed", "delivered", false},
		{"read", "delivered", false},
		{"sent", "sent", false},
		{"delivered", "delivered", false},
		{"sent", "bogus", false},
		{"", "", false},
		{"bogus", "sent", true},
	}
	for _, tt := range tests {
		if got := sms.Advances(tt.old, tt.next); got != tt.want {
			t.Errorf("Advances(%q, %q) = %v, want %v", tt.old, tt.next, got, tt.want)
		}
	}
}

func TestFailed(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]bool{
		"undelivered": true, "failed": true, "canceled": true,
		"delivered": false, "sent": false, "queued": false, "read": false, "": false,
	} {
		if got := sms.Failed(status); got != want {
			t.Errorf("Failed(%q) = %v, want %v", status, got, want)
		}
	}
}
