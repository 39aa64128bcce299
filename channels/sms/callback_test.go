package sms_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
)

// sentReply has the customer write, an agent answer and the answer go out;
// it returns the message and what Twilio received.
func sentReply(t testing.TB, e *env) (inbox.Message, smstest.Message) {
	t.Helper()
	e.text(t, "hi")
	m := e.reply(t, "Hello!")
	if err := e.deliver(t, m.ID, 1); err != nil {
		t.Fatal(err)
	}
	return m, e.twilio.Messages()[0]
}

func TestStatusOrderInsensitive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, sent := sentReply(t, e)
	for _, st := range []string{"delivered", "sending", "sent", "queued", "failed"} {
		e.status(t, sent, st, 0)
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryDelivered || got.DeliveryError != "" {
		t.Errorf("message = %s %q, want delivered: the first outcome stands", got.DeliveryStatus, got.DeliveryError)
	}
}

func TestStatusFailedShowsReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, sent := sentReply(t, e)
	e.status(t, sent, "sent", 0)
	e.status(t, sent, "failed", 30007)
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryFailed || got.DeliveryError != "The carrier filtered the message as spam." {
		t.Errorf("message = %s %q, want failed with the reason for 30007", got.DeliveryStatus, got.DeliveryError)
	}
}

func TestStatusUnknownMessageAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, sent := sentReply(t, e)
	stranger := sent
	stranger.SID = smstest.NewSID("SM")
	e.status(t, stranger, "delivered", 0)
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("a callback for another SID moved the message to %s", got.DeliveryStatus)
	}
}

func TestStatusBeforeThePartIsRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	// Twilio's callbacks outrun its answer to the delivery job: "sent" and
	// "delivered" arrive before the job has recorded the SID.
	e.twilio.BeforeAnswer(func(m smstest.Message) {
		e.status(t, m, "sent", 0)
		e.status(t, m, "delivered", 0)
	})
	m := e.reply(t, "Hello!")
	if err := e.deliver(t, m.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryDelivered {
		t.Errorf("message = %s, want delivered: the early callbacks were lost", got.DeliveryStatus)
	}
	if n := e.count(t, "SELECT count(*) FROM sms_early_statuses"); n != 0 {
		t.Errorf("%d held callbacks left after the part was recorded", n)
	}
	if n := e.count(t, "SELECT count(*) FROM sms_parts WHERE status = 'delivered'"); n != 1 {
		t.Errorf("delivered parts = %d, want 1", n)
	}
}

func TestStatusRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, sent := sentReply(t, e)
	form := smstest.StatusForm(sent.Callback("delivered", 0))
	statusURL := publicURL + sms.StatusPath
	cases := map[string]struct {
		req    *http.Request
		status int
	}{
		"wrong signature": {smstest.NewSignedRequest("0000"+authToken[4:], statusURL, form), http.StatusForbidden},
		"wrong URL":       {withTarget(smstest.NewSignedRequest(authToken, publicURL+sms.InboundPath, form), statusURL), http.StatusForbidden},
		"no signature":    {unsigned(statusURL, form), http.StatusForbidden},
		"unknown status": {func() *http.Request {
			f := smstest.StatusForm(sent.Callback("delivered", 0))
			f.Set("MessageStatus", "teleported")
			f.Set("SmsStatus", "teleported")
			return smstest.NewSignedRequest(authToken, statusURL, f)
		}(), http.StatusBadRequest},
	}
	for name, c := range cases {
		w := httptest.NewRecorder()
		e.ch.StatusHandler().ServeHTTP(w, c.req)
		if w.Code != c.status {
			t.Errorf("%s: answer %d %s, want %d", name, w.Code, w.Body, c.status)
		}
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("refused callbacks moved the message to %s", got.DeliveryStatus)
	}
}
