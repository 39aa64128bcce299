package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/sandbox"
)

func setup(t *testing.T) (*sandbox.Sandbox, *sandbox.Store) {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Config{Pool: dbtest.Pool(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close(context.Background()) })
	return sb, sb.Store()
}

// Twilio's create answers 201 with the message resource and records the form; a form without a
// recipient is Twilio's 400 with code 21604 and records nothing.
func TestTwilioFake(t *testing.T) {
	t.Parallel()
	sb, store := setup(t)
	post := func(form url.Values) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, sb.TwilioURL()+"/2010-04-01/Accounts/AC1/Messages.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("AC1", "secret-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post(url.Values{"From": {"+15005550006"}, "Body": {"hi"}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("no To: %d", res.StatusCode)
	}
	if got, err := store.Recent(context.Background(), 10); err != nil || len(got) != 0 {
		t.Fatalf("a refused message was recorded: %v %v", got, err)
	}
	if res := post(url.Values{"To": {"+15550100200"}, "From": {"+15005550006"}, "Body": {"<b>hi</b>"}}); res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	got, err := store.Recent(context.Background(), 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("entries %v %v", got, err)
	}
	e := got[0]
	if e.Channel != sandbox.ChannelSMS || e.Destination != "+15550100200" || e.Summary != "<b>hi</b>" ||
		e.Payload != "Body=%3Cb%3Ehi%3C%2Fb%3E&From=%2B15005550006&To=%2B15550100200" || strings.Contains(e.Payload, "secret-token") {
		t.Fatalf("entry %+v", e)
	}
}

// chat.postMessage is recorded without the token and answered with a ts; a call without a
// token is not_authed, as Slack answers.
func TestSlackFake(t *testing.T) {
	t.Parallel()
	sb, store := setup(t)
	call := func(token string, args url.Values) string {
		req, _ := http.NewRequest(http.MethodPost, sb.SlackURL()+"chat.postMessage", strings.NewReader(args.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = fmt.Fprint(&b, res.StatusCode, " ")
		buf := make([]byte, 4096)
		n, _ := res.Body.Read(buf)
		b.Write(buf[:n])
		return b.String()
	}
	if got := call("", url.Values{"channel": {"C1"}, "text": {"x"}}); !strings.Contains(got, `"not_authed"`) {
		t.Fatalf("no token: %s", got)
	}
	got := call("xoxb-secret", url.Values{"channel": {"C1"}, "text": {"Hello"}, "thread_ts": {"1.2"}})
	if !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"ok":true`) || !strings.Contains(got, `"ts":"`) {
		t.Fatalf("post: %s", got)
	}
	list, err := store.Recent(context.Background(), 10)
	if err != nil || len(list) != 1 || list[0].Destination != "C1 (thread 1.2)" || list[0].Payload != "channel=C1&text=Hello&thread_ts=1.2" {
		t.Fatalf("entries %+v %v", list, err)
	}
}

// The SMTP sink records the MIME message as sent, with its subject.
func TestSMTPSink(t *testing.T) {
	t.Parallel()
	sb, store := setup(t)
	u, _ := url.Parse(sb.SMTPURL())
	msg := "From: a@example.com\r\nTo: b@example.com\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n\r\nbody\r\n"
	c, err := smtp.Dial(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()
	list, err := store.Recent(context.Background(), 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("entries %v %v", list, err)
	}
	if e := list[0]; e.Channel != sandbox.ChannelEmail || e.Summary != "Café" || e.Destination != "b@example.com" || e.Payload != msg {
		t.Fatalf("entry %+v", e)
	}
}

// The store keeps the newest Keep entries, newest first.
func TestStoreKeepsTheNewest(t *testing.T) {
	t.Parallel()
	store := sandbox.NewStore(dbtest.Pool(t), nil)
	ctx := context.Background()
	for i := range sandbox.Keep + 3 {
		if _, err := store.Record(ctx, sandbox.Entry{Channel: sandbox.ChannelSMS, Request: "POST", Summary: fmt.Sprint(i), Payload: "x\x00"}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := store.Recent(ctx, sandbox.Keep+10)
	if err != nil || len(list) != sandbox.Keep {
		t.Fatalf("kept %d, %v", len(list), err)
	}
	if list[0].Summary != fmt.Sprint(sandbox.Keep+2) || list[len(list)-1].Summary != "3" || list[0].Payload != "x " {
		t.Fatalf("newest %+v, oldest %+v", list[0], list[len(list)-1])
	}
}

// Anything else on the fakes' listener is 404.
func TestUnknownPath(t *testing.T) {
	t.Parallel()
	sb, _ := setup(t)
	rec := httptest.NewRecorder()
	sb.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/other", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status %d", rec.Code)
	}
}

// Any login reads an empty INBOX on the sandbox's IMAP server.
func TestIMAPAnyLogin(t *testing.T) {
	t.Parallel()
	sb, _ := setup(t)
	u, _ := url.Parse(sb.IMAPURL())
	c, err := imapclient.DialInsecure(u.Host, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("support@acme.example", "whatever").Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 0 {
		t.Fatalf("INBOX: %+v %v", sel, err)
	}
	_ = c.Logout().Wait()
}
