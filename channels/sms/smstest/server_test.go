package smstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/sms/smstest"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "feedface0123456789abcdef01234567"
)

// twilioAnswer is the JSON the fake answers, success or error.
type twilioAnswer struct {
	SID      string  `json:"sid"`
	Status   any     `json:"status"` // a string for messages, a number for errors
	From     *string `json:"from"`
	Code     int     `json:"code"`
	Message  string  `json:"message"`
	MoreInfo string  `json:"more_info"`
}

func post(t *testing.T, srv *smstest.Server, account, user, pass string, form url.Values) (int, twilioAnswer) {
	t.Helper()
	u := srv.URL + "/2010-04-01/Accounts/" + account + "/Messages.json"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	var a twilioAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	return resp.StatusCode, a
}

func form(change func(url.Values)) url.Values {
	f := url.Values{"To": {"+447700900123"}, "From": {"+14155550100"}, "Body": {"hi"}}
	if change != nil {
		change(f)
	}
	return f
}

func TestServerAnswersLikeTwilio(t *testing.T) {
	t.Parallel()
	srv := smstest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	tests := []struct {
		name       string
		account    string
		user, pass string
		form       url.Values
		status     int
		code       int
	}{
		{"accepted", accountSID, accountSID, authToken, form(nil), 201, 0},
		{"wrong token", accountSID, accountSID, "nope", form(nil), 401, 20003},
		{"other account", "AC" + strings.Repeat("0", 32), accountSID, authToken, form(nil), 404, 20404},
		{"no To", accountSID, accountSID, authToken, form(func(f url.Values) { f.Del("To") }), 400, 21604},
		{"national To", accountSID, accountSID, authToken, form(func(f url.Values) { f.Set("To", "07700900123") }), 400, 21211},
		{"no sender", accountSID, accountSID, authToken, form(func(f url.Values) { f.Del("From") }), 400, 21603},
		{"bad service", accountSID, accountSID, authToken, form(func(f url.Values) {
			f.Del("From")
			f.Set("MessagingServiceSid", "MG1")
		}), 400, 21701},
		{"no body", accountSID, accountSID, authToken, form(func(f url.Values) { f.Del("Body") }), 400, 21602},
		{"body too long", accountSID, accountSID, authToken, form(func(f url.Values) {
			f.Set("Body", strings.Repeat("é", 1601))
		}), 400, 21617},
		{"relative callback", accountSID, accountSID, authToken, form(func(f url.Values) {
			f.Set("StatusCallback", "/webhooks/twilio/status")
		}), 400, 21609},
	}
	for _, tt := range tests {
		status, a := post(t, srv, tt.account, tt.user, tt.pass, tt.form)
		if status != tt.status || a.Code != tt.code {
			t.Errorf("%s: answered %d code %d (%s), want %d code %d", tt.name, status, a.Code, a.Message, tt.status, tt.code)
		}
		if tt.code != 0 && (a.Status != float64(tt.status) || a.MoreInfo == "" || a.Message == "") {
			t.Errorf("%s: error body %+v lacks Twilio's status, message or more_info", tt.name, a)
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server holds %d messages, want only the accepted one", n)
	}
	if n := srv.Requests(); n != len(tests) {
		t.Errorf("server counted %d requests, want %d", n, len(tests))
	}
}

func TestServerMessagingService(t *testing.T) {
	t.Parallel()
	srv := smstest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	service := smstest.NewSID("MG")

	status, a := post(t, srv, accountSID, accountSID, authToken, form(func(f url.Values) {
		f.Del("From")
		f.Set("MessagingServiceSid", service)
	}))
	if status != 201 || a.Status != "accepted" || a.From != nil {
		t.Errorf("answered %d %+v, want 201, status accepted and a null from", status, a)
	}
	if got := srv.Messages()[0]; got.SID != a.SID || got.MessagingServiceSID != service {
		t.Errorf("recorded %+v, want sid %s and service %s", got, a.SID, service)
	}
}

func TestServerScriptedFailuresRunInOrder(t *testing.T) {
	t.Parallel()
	srv := smstest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	srv.FailNext(2, smstest.RateLimited)
	srv.FailNext(1, smstest.Unsubscribed)

	var got []int
	for range 4 {
		status, a := post(t, srv, accountSID, accountSID, authToken, form(nil))
		got = append(got, status, a.Code)
	}
	want := []int{429, 20429, 429, 20429, 400, 21610, 201, 0}
	if !slices.Equal(got, want) {
		t.Errorf("answers %v, want %v", got, want)
	}
}

func TestStatusFormFields(t *testing.T) {
	t.Parallel()
	m := smstest.Message{SID: smstest.NewSID("SM"), AccountSID: accountSID, From: "+14155550100", To: "+447700900123"}
	f := smstest.StatusForm(m.Callback("undelivered", 30003))
	for key, want := range map[string]string{
		"MessageSid": m.SID, "SmsSid": m.SID, "MessageStatus": "undelivered", "SmsStatus": "undelivered",
		"AccountSid": accountSID, "From": m.From, "To": m.To, "ApiVersion": "2010-04-01", "ErrorCode": "30003",
	} {
		if got := f.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if f := smstest.StatusForm(m.Callback("delivered", 0)); f.Has("ErrorCode") {
		t.Errorf("delivered callback has ErrorCode %q", f.Get("ErrorCode"))
	}
}
