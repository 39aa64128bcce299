package main

import (
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// TestTwilioFrontScriptsFaultsThenAccepts: the scripted answers come first, in order, with
// Retry-After where asked; then the send reaches smstest and is accepted once.
func TestTwilioFrontScriptsFaultsThenAccepts(t *testing.T) {
	tw := newTwilio(0)
	defer tw.close()
	tw.script("hello", twilioFault{status: 500, code: 20500}, twilioFault{status: 429, code: 20429, retryAfter: 2 * time.Second})
	send := func() *http.Response {
		form := url.Values{"To": {"+15550100001"}, "From": {smsNumber}, "Body": {"hello there"}}
		req, _ := http.NewRequest(http.MethodPost, tw.srv.URL+"/2010-04-01/Accounts/"+tw.fake.AccountSID+"/Messages.json",
			strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(tw.fake.AccountSID, tw.fake.AuthToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := send(); r.StatusCode != 500 {
		t.Fatalf("first answer %d, want 500", r.StatusCode)
	}
	if r := send(); r.StatusCode != 429 || r.Header.Get("Retry-After") != "2" {
		t.Fatalf("second answer %d Retry-After %q, want 429 and 2", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := send(); r.StatusCode != http.StatusCreated {
		t.Fatalf("third answer %d, want 201", r.StatusCode)
	}
	if n, a := tw.accepted("hello there"), len(tw.attempts("hello there")); n != 1 || a != 3 {
		t.Fatalf("accepted %d of %d attempts, want 1 of 3", n, a)
	}
}

// TestSMTPSinkScriptsRefusals: a message carrying the marker is refused as scripted, then kept.
func TestSMTPSinkScriptsRefusals(t *testing.T) {
	s, err := newSMTPSink()
	if err != nil {
		t.Fatal(err)
	}
	defer s.srv.Close()
	s.script("marker-1", smtpError(451, gosmtp.EnhancedCode{4, 3, 0}, "try later"))
	mail := func() error {
		return smtp.SendMail(s.addr, nil, "a@example.com", []string{"b@example.com"}, []byte("Subject: x\r\n\r\nmarker-1\r\n"))
	}
	if err := mail(); err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("first send: %v, want 451", err)
	}
	if err := mail(); err != nil {
		t.Fatalf("second send: %v", err)
	}
	if n, attempts := s.count("marker-1"); n != 1 || len(attempts) != 2 {
		t.Fatalf("kept %d after %d attempts, want 1 after 2", n, len(attempts))
	}
}
