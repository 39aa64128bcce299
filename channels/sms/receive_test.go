package sms_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
)

func TestReceiveStoresMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	form := e.text(t, "¡Hola! Where is my order? 👋")

	conv := e.conversation(t)
	if conv.Channel != inbox.ChannelSMS || conv.InboxID == nil || *conv.InboxID != e.inbox.ID || conv.Status != inbox.StatusNew {
		t.Errorf("conversation = %+v, want a new sms conversation in inbox %d", conv, e.inbox.ID)
	}
	msgs, err := e.store.Messages(context.Background(), conv.ID, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages = %v, %v; want 1", msgs, err)
	}
	m := msgs[0]
	if m.Direction != inbox.DirectionInbound || m.Channel != inbox.ChannelSMS || m.ExternalID == nil ||
		*m.ExternalID != form.Get("MessageSid") || m.Text != "¡Hola! Where is my order? 👋" || m.Auto != "" {
		t.Errorf("message = %+v, want the inbound SMS keyed by its MessageSid", m)
	}
	if m.Metadata["to"] != ourNumber {
		t.Errorf("metadata = %v, want to %s", m.Metadata, ourNumber)
	}
	contact, err := e.store.GetContact(context.Background(), conv.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	want := []inbox.Identity{{Kind: inbox.IdentityPhone, Address: customer, Verified: true}}
	if len(contact.Identities) != 1 || contact.Identities[0].Kind != want[0].Kind ||
		contact.Identities[0].Address != customer || !contact.Identities[0].Verified {
		t.Errorf("identities = %+v, want %+v", contact.Identities, want)
	}
}

func TestReceiveMMSKeepsMediaURLsUnfetched(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var fetched atomic.Int32
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Add(1) }))
	defer media.Close()
	form := smstest.InboundForm(smstest.SMS{AccountSID: accountSID, From: customer, To: ourNumber, Media: []smstest.Attachment{
		{URL: media.URL + "/Media/ME1", ContentType: "image/jpeg"},
		{URL: media.URL + "/Media/ME2", ContentType: "image/png"},
	}})
	e.requireTaken(t, e.post(e.ch.InboundHandler(), sms.InboundPath, form))

	msgs, err := e.store.Messages(context.Background(), e.conversation(t).ID, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages = %v, %v; want 1", msgs, err)
	}
	if msgs[0].Text != "[MMS: image/jpeg, image/png]" {
		t.Errorf("text = %q, want the media described", msgs[0].Text)
	}
	got, _ := json.Marshal(msgs[0].Metadata["media"])
	want := `[{"content_type":"image/jpeg","url":"` + media.URL + `/Media/ME1"},{"content_type":"image/png","url":"` + media.URL + `/Media/ME2"}]`
	if string(got) != want {
		t.Errorf("media = %s, want %s", got, want)
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the webhook fetched media %d times, want none", n)
	}
}

func TestReceiveReplayStoresNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	form := e.text(t, "first")
	e.requireTaken(t, e.post(e.ch.InboundHandler(), sms.InboundPath, form))

	if n := e.count(t, "SELECT count(*) FROM messages"); n != 1 {
		t.Errorf("%d messages after a replay, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM contacts"); n != 1 {
		t.Errorf("%d contacts after a replay, want 1", n)
	}
}

func TestReceiveRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := func() url.Values {
		return smstest.InboundForm(smstest.SMS{AccountSID: accountSID, From: customer, To: ourNumber, Body: "hello"})
	}
	signed := func(token, u string, form url.Values) *http.Request {
		return smstest.NewSignedRequest(token, u, form)
	}
	inboundURL := publicURL + sms.InboundPath
	cases := map[string]struct {
		req    *http.Request
		status int
		reason string
	}{
		"wrong signature": {signed("0000"+authToken[4:], inboundURL, good()), 403, "signature does not match"},
		"wrong URL":       {withTarget(signed(authToken, "https://evil.example"+sms.InboundPath, good()), inboundURL), 403, "signature does not match"},
		"no signature":    {unsigned(inboundURL, good()), 403, "missing X-Twilio-Signature"},
		"tampered body": {func() *http.Request {
			r := signed(authToken, inboundURL, good())
			f := good()
			f.Set("Body", "tampered")
			return withBody(r, f.Encode())
		}(), 403, "signature does not match"},
		"unknown account": {signed(authToken, inboundURL, smstest.InboundForm(smstest.SMS{
			AccountSID: "AC" + strings.Repeat("f", 32), From: customer, To: ourNumber, Body: "hi"})), 403, "no SMS inbox is connected to this Twilio account"},
		"unknown number": {signed(authToken, inboundURL, smstest.InboundForm(smstest.SMS{
			AccountSID: accountSID, From: customer, To: "+14155550199", Body: "hi"})), 404, `no SMS inbox answers for number "+14155550199"`},
		"malformed MessageSid": {signed(authToken, inboundURL, func() url.Values {
			f := good()
			f.Set("MessageSid", "SMnope")
			f.Del("SmsSid")
			return f
		}()), 400, `MessageSid "SMnope" is not a message SID`},
		"malformed From": {signed(authToken, inboundURL, func() url.Values {
			f := good()
			f.Set("From", "whatsapp:"+customer)
			return f
		}()), 400, "bad From number"},
		"repeated key": {withBody(signed(authToken, inboundURL, good()), good().Encode()+"&Body=again"), 400, "form repeats Body"},
		"oversized":    {withBody(signed(authToken, inboundURL, good()), "Body="+strings.Repeat("x", sms.MaxWebhookBody)), 413, "body over 64 KiB"},
		"not a form": {func() *http.Request {
			r := signed(authToken, inboundURL, good())
			r.Header.Set("Content-Type", "application/json")
			return r
		}(), 400, "content type is not application/x-www-form-urlencoded"},
	}
	for name, c := range cases {
		w := httptest.NewRecorder()
		e.ch.InboundHandler().ServeHTTP(w, c.req)
		var body struct{ Error, Code string }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != c.status || body.Error != c.reason {
			t.Errorf("%s: answer %d %s, want %d with error %q", name, w.Code, w.Body, c.status, c.reason)
		}
	}
	for _, table := range []string{"messages", "contacts", "conversations", "sms_keywords"} {
		if n := e.count(t, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%d rows in %s after refused webhooks, want 0", n, table)
		}
	}
}

// withTarget returns r as if it had been posted to u.
func withTarget(r *http.Request, u string) *http.Request {
	r2 := httptest.NewRequest(r.Method, u, r.Body)
	r2.Header = r.Header
	return r2
}

func withBody(r *http.Request, body string) *http.Request {
	r2 := httptest.NewRequest(r.Method, r.URL.String(), strings.NewReader(body))
	r2.Header = r.Header
	return r2
}

func unsigned(u string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestReceiveRoutesByNumberAndService(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sales := e.addInbox(t, "Sales SMS", sms.Settings{AccountSID: accountSID, From: "+14155550111"})
	service := e.addInbox(t, "Service pool", sms.Settings{AccountSID: accountSID, MessagingServiceSID: serviceSID})
	cases := []struct {
		sms  smstest.SMS
		want int64
	}{
		{smstest.SMS{From: "+447700900001", To: ourNumber}, e.inbox.ID},
		{smstest.SMS{From: "+447700900002", To: "+14155550111"}, sales.ID},
		{smstest.SMS{From: "+447700900003", To: "+14155550122", MessagingServiceSID: serviceSID}, service.ID},
	}
	for _, c := range cases {
		c.sms.AccountSID, c.sms.Body = accountSID, "hi"
		e.requireTaken(t, e.post(e.ch.InboundHandler(), sms.InboundPath, smstest.InboundForm(c.sms)))
		contact, err := e.store.ContactByIdentity(context.Background(), inbox.IdentityPhone, c.sms.From)
		if err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "SELECT count(*) FROM conversations WHERE contact_id = $1 AND inbox_id = $2", contact.ID, c.want); n != 1 {
			t.Errorf("message to %s (service %q) did not land in inbox %d", c.sms.To, c.sms.MessagingServiceSID, c.want)
		}
	}
}

func TestKeywordsDoNotReopenAndChangeConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.text(t, "my parcel is late")
	conv := e.conversation(t)
	if _, err := e.store.SetStatus(ctx, conv.ID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	optedOut := func() bool {
		out, err := e.ch.OptedOut(ctx, customer)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	stop := e.text(t, " Stop ")
	if !optedOut() {
		t.Error("not opted out after STOP")
	}
	e.text(t, "HELP")
	if !optedOut() {
		t.Error("HELP lifted the opt-out")
	}
	if got := e.conversation(t).Status; got != inbox.StatusResolved {
		t.Errorf("status after keywords = %s, want resolved", got)
	}
	msgs, err := e.store.Messages(ctx, conv.ID, 0, 10)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("messages = %v, %v; want 3", msgs, err)
	}
	if msgs[1].Auto != sms.AutoKeyword || msgs[1].Metadata["keyword"] != "opt-out" || msgs[2].Metadata["keyword"] != "help" {
		t.Errorf("keyword messages = %+v / %+v, want auto keyword opt-out and help", msgs[1], msgs[2])
	}

	e.text(t, "start")
	if optedOut() {
		t.Error("still opted out after START")
	}
	// A replayed STOP is a duplicate: it must not undo the later START.
	e.requireTaken(t, e.post(e.ch.InboundHandler(), sms.InboundPath, stop))
	if optedOut() {
		t.Error("a replayed STOP opted the customer out again")
	}
	if n := e.count(t, "SELECT count(*) FROM sms_keywords WHERE phone = $1", customer); n != 3 {
		t.Errorf("%d keywords logged, want 3 (STOP, HELP, START)", n)
	}
	if n := e.count(t, `SELECT count(*) FROM sms_keywords k JOIN messages m ON m.id = k.message_id
		WHERE k.kind = 'opt-out' AND k.keyword = 'STOP' AND m.external_id = $1`, stop.Get("MessageSid")); n != 1 {
		t.Error("the STOP is not logged with its message")
	}
	if got := e.conversation(t).Status; got != inbox.StatusResolved {
		t.Errorf("status after START = %s, want resolved", got)
	}
}
