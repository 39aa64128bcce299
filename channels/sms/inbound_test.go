package sms_test

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
)

func TestParseInboundSMS(t *testing.T) {
	t.Parallel()
	form := inboundForm()
	in, err := sms.ParseInbound(form)
	if err != nil {
		t.Fatalf("ParseInbound: %v", err)
	}
	want := sms.Inbound{
		MessageSID: form.Get("MessageSid"),
		AccountSID: accountSID,
		From:       "+447700900123",
		To:         "+14155550100",
		Body:       "¡Hola! 👋 Where is my order?",
	}
	if in.MessageSID != want.MessageSID || in.AccountSID != want.AccountSID || in.From != want.From ||
		in.To != want.To || in.Body != want.Body || in.Media != nil {
		t.Errorf("ParseInbound = %+v, want %+v", in, want)
	}
}

func TestParseInboundMMS(t *testing.T) {
	t.Parallel()
	media := []smstest.Attachment{
		{URL: "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Messages/MM1/Media/ME1", ContentType: "image/jpeg"},
		{URL: "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Messages/MM1/Media/ME2", ContentType: "application/pdf"},
	}
	form := smstest.InboundForm(smstest.SMS{
		AccountSID: accountSID, From: "+14155550123", To: "+14155550100", Media: media,
	})
	in, err := sms.ParseInbound(form)
	if err != nil {
		t.Fatalf("ParseInbound: %v", err)
	}
	if !strings.HasPrefix(in.MessageSID, "MM") || in.Body != "" {
		t.Errorf("ParseInbound = %+v, want an MM sid and no body", in)
	}
	var got []smstest.Attachment
	for _, m := range in.Media {
		got = append(got, smstest.Attachment{URL: m.URL, ContentType: m.ContentType})
	}
	if !slices.Equal(got, media) {
		t.Errorf("media = %v, want %v", got, media)
	}
}

func TestParseInboundAccepts(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		change   func(url.Values)
		from, to string
	}{
		"formatted sender": {func(f url.Values) { f.Set("From", " +1 (415) 555-0123 ") }, "+14155550123", "+14155550100"},
		"short code":       {func(f url.Values) { f.Set("To", "12345") }, "+447700900123", "12345"},
		"only the old SmsSid": {func(f url.Values) {
			f.Del("MessageSid")
		}, "+447700900123", "+14155550100"},
	}
	for name, tt := range tests {
		form := inboundForm()
		tt.change(form)
		in, err := sms.ParseInbound(form)
		if err != nil {
			t.Errorf("%s: ParseInbound: %v", name, err)
			continue
		}
		if in.From != tt.from || in.To != tt.to || in.MessageSID != form.Get("SmsSid") {
			t.Errorf("%s: ParseInbound = %+v, want from %s to %s", name, in, tt.from, tt.to)
		}
	}
}

func TestParseInboundRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]func(url.Values){
		"national sender":        func(f url.Values) { f.Set("From", "4155550123") },
		"whatsapp sender":        func(f url.Values) { f.Set("From", "whatsapp:+14155550123") },
		"sender too long":        func(f url.Values) { f.Set("From", "+1415555012345678") },
		"letters in sender":      func(f url.Values) { f.Set("From", "+1 CALL NOW") },
		"no sender":              func(f url.Values) { f.Del("From") },
		"junk recipient":         func(f url.Values) { f.Set("To", "parley") },
		"call SID":               func(f url.Values) { f.Set("MessageSid", "CA"+strings.Repeat("0", 32)) },
		"short message SID":      func(f url.Values) { f.Set("MessageSid", "SM123") },
		"no message SID":         func(f url.Values) { f.Del("MessageSid"); f.Del("SmsSid") },
		"no account":             func(f url.Values) { f.Del("AccountSid") },
		"NumMedia not number":    func(f url.Values) { f.Set("NumMedia", "two") },
		"NumMedia negative":      func(f url.Values) { f.Set("NumMedia", "-1") },
		"NumMedia over 10":       func(f url.Values) { f.Set("NumMedia", "11") },
		"media URL missing":      func(f url.Values) { f.Set("NumMedia", "1") },
		"media URL not http":     func(f url.Values) { f.Set("NumMedia", "1"); f.Set("MediaUrl0", "javascript:alert(1)") },
		"media URL not absolute": func(f url.Values) { f.Set("NumMedia", "1"); f.Set("MediaUrl0", "/Media/ME1") },
	}
	expectBadRequest(t, inboundForm, func(f url.Values) error {
		_, err := sms.ParseInbound(f)
		return err
	}, tests)
}

func TestE164(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"+14155550123":       "+14155550123",
		"+1 (415) 555-0123":  "+14155550123",
		"+44 7700 900123":    "+447700900123",
		"+33 6 12 34 56 78":  "+33612345678",
		"+49.30.123456":      "+4930123456",
		"+81 90-1234-5678":   "+819012345678",
		"\t+5511987654321\n": "+5511987654321",
	}
	for in, want := range good {
		if got, err := sms.E164(in); err != nil || got != want {
			t.Errorf("E164(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "+", "4155550123", "+1 415 555 0123 ext 5", "+1-800-FLOWERS", "++14155550123", "+999 1234", "+1 555", "whatsapp:+14155550123"} {
		if got, err := sms.E164(in); err == nil {
			t.Errorf("E164(%q) = %q, want an error", in, got)
		}
	}
}

func FuzzParseInbound(f *testing.F) {
	f.Add(inboundForm().Encode())
	f.Add(smstest.InboundForm(smstest.SMS{
		AccountSID: accountSID, From: "+14155550123", To: "12345",
		Media: []smstest.Attachment{{URL: "https://example.com/m", ContentType: "image/png"}},
	}).Encode())
	f.Add("MessageSid=SM&From=%2B1&NumMedia=99")
	f.Fuzz(func(t *testing.T, raw string) {
		form, _ := url.ParseQuery(raw) // keeps what parses, as a handler would refuse the rest
		in, err := sms.ParseInbound(form)
		if err != nil {
			if re := requestError(t, err); re.Status != 400 {
				t.Fatalf("status %d, want 400", re.Status)
			}
			return
		}
		if again, err := sms.E164(in.From); err != nil || again != in.From {
			t.Fatalf("From %q is not normalized: E164 gives %q, %v", in.From, again, err)
		}
		if sid := in.MessageSID; sid != form.Get("MessageSid") && sid != form.Get("SmsSid") {
			t.Fatalf("MessageSID %q is in neither MessageSid nor SmsSid", sid)
		}
		n, _ := strconv.Atoi(form.Get("NumMedia"))
		if len(in.Media) != n {
			t.Fatalf("%d media, NumMedia %d", len(in.Media), n)
		}
	})
}
