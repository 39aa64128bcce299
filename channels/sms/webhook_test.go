package sms_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
)

const publicURL = "https://parley.example"

func inboundForm() url.Values {
	return smstest.InboundForm(smstest.SMS{
		AccountSID: accountSID,
		From:       "+447700900123",
		To:         "+14155550100",
		Body:       "¡Hola! 👋 Where is my order?",
	})
}

func requestError(t *testing.T, err error) *sms.RequestError {
	t.Helper()
	return errorAs[*sms.RequestError](t, err)
}

// expectBadRequest applies each change to a fresh form and checks that parse
// refuses the result with a 400 *RequestError.
func expectBadRequest(t *testing.T, fresh func() url.Values, parse func(url.Values) error, changes map[string]func(url.Values)) {
	t.Helper()
	for name, change := range changes {
		form := fresh()
		change(form)
		err := parse(form)
		if err == nil {
			t.Errorf("%s: parse succeeded, want an error", name)
			continue
		}
		if re := requestError(t, err); re.Status != 400 {
			t.Errorf("%s: status %d, want 400", name, re.Status)
		}
	}
}

// TestSignKnownAnswer pins Sign to a signature computed outside Go:
// printf '%s' 'https://parley.example/webhooks/twilio/sms?inbox=7AccountSid...Body¡Hola! 👋FromCity' |
// openssl dgst -sha1 -hmac f00dfeed -binary | base64
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	form := url.Values{
		"Body":       {"¡Hola! 👋"},
		"FromCity":   {""},
		"AccountSid": {"AC00000000000000000000000000000001"},
	}
	got := smstest.Sign("f00dfeed", publicURL+"/webhooks/twilio/sms?inbox=7", form)
	if want := "0Z3RUyXz1eQGVfkLCsLiGSDq+co="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestSignMatchesTwilioValidator(t *testing.T) {
	t.Parallel()
	forms := map[string]url.Values{
		"inbound": inboundForm(),
		"status":  smstest.StatusForm(smstest.Callback{MessageSID: smstest.NewSID("SM"), Status: "delivered"}),
		"empty":   {},
	}
	for name, form := range forms {
		for _, u := range []string{publicURL + "/webhooks/twilio/sms", "http://localhost:8080/x?a=1&b=%20"} {
			params := map[string]string{}
			for k := range form {
				params[k] = form.Get(k)
			}
			v := client.NewRequestValidator(authToken)
			if !v.Validate(u, params, smstest.Sign(authToken, u, form)) {
				t.Errorf("%s at %s: twilio-go rejects smstest.Sign", name, u)
			}
		}
	}
}

func TestVerifyRequestAccepts(t *testing.T) {
	t.Parallel()
	form := inboundForm()
	for _, public := range []string{publicURL, publicURL + "/"} {
		r := smstest.NewSignedRequest(authToken, publicURL+"/webhooks/twilio/sms?inbox=7", form)
		got, err := sms.VerifyRequest(r, public, authToken)
		if err != nil {
			t.Fatalf("VerifyRequest with public URL %q: %v", public, err)
		}
		if got.Encode() != form.Encode() {
			t.Errorf("form = %v, want %v", got, form)
		}
	}
}

func TestVerifyRequestRefuses(t *testing.T) {
	t.Parallel()
	target := publicURL + "/webhooks/twilio/sms"
	signed := func() *http.Request { return smstest.NewSignedRequest(authToken, target, inboundForm()) }
	withBody := func(body string) *http.Request {
		form, _ := url.ParseQuery(body)
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(sms.SignatureHeader, smstest.Sign(authToken, target, form))
		return r
	}
	tests := []struct {
		name    string
		request func() *http.Request
		public  string
		token   string
		status  int
	}{
		{"wrong token", signed, publicURL, "0000" + authToken[4:], 403},
		{"wrong public URL", signed, "https://other.example", authToken, 403},
		{"signed for another path", func() *http.Request {
			r := signed()
			r.URL.Path = "/webhooks/twilio/status"
			return r
		}, publicURL, authToken, 403},
		{"tampered param", func() *http.Request {
			form := inboundForm()
			r := smstest.NewSignedRequest(authToken, target, form)
			form.Set("Body", "Refund me")
			tampered := smstest.NewSignedRequest(authToken, target, form)
			tampered.Header.Set(sms.SignatureHeader, r.Header.Get(sms.SignatureHeader))
			return tampered
		}, publicURL, authToken, 403},
		{"missing signature", func() *http.Request {
			r := signed()
			r.Header.Del(sms.SignatureHeader)
			return r
		}, publicURL, authToken, 403},
		{"body over 64 KiB", func() *http.Request {
			return withBody("Body=" + strings.Repeat("a", sms.MaxWebhookBody))
		}, publicURL, authToken, 413},
		{"malformed form", func() *http.Request { return withBody("Body=%zz") }, publicURL, authToken, 400},
		{"repeated key", func() *http.Request { return withBody("Body=a&Body=b") }, publicURL, authToken, 400},
		{"JSON body", func() *http.Request {
			r := signed()
			r.Header.Set("Content-Type", "application/json")
			return r
		}, publicURL, authToken, 400},
		{"GET", func() *http.Request {
			r := signed()
			r.Method = http.MethodGet
			return r
		}, publicURL, authToken, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form, err := sms.VerifyRequest(tt.request(), tt.public, tt.token)
			if form != nil {
				t.Errorf("VerifyRequest returned a form for a refused request")
			}
			if re := requestError(t, err); re.Status != tt.status || re.Reason == "" {
				t.Errorf("error = %+v, want status %d and a reason", re, tt.status)
			}
		})
	}
}

func TestVerifyRequestAcceptsBodyAtLimit(t *testing.T) {
	t.Parallel()
	target := publicURL + "/webhooks/twilio/sms"
	form := url.Values{"Body": {strings.Repeat("a", sms.MaxWebhookBody-len("Body="))}}
	r := smstest.NewSignedRequest(authToken, target, form)
	if _, err := sms.VerifyRequest(r, publicURL, authToken); err != nil {
		t.Errorf("VerifyRequest of a %d-byte body: %v", sms.MaxWebhookBody, err)
	}
}
