package sms_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
)

// TestRoundTrip follows one exchange end to end: an SMS in, an agent's reply
// delivered by a running River client through the fake Twilio, and Twilio's
// status callbacks in the order Twilio may post them.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	done, start := e.river(t)
	start()

	e.text(t, "Where is my order?")
	reply := e.reply(t, "It ships today.")
	waitFor(t, done, "deliver", river.EventKindJobCompleted)

	sent := e.twilio.Messages()
	if len(sent) != 1 {
		t.Fatalf("Twilio received %d messages, want 1", len(sent))
	}
	got := sent[0]
	if got.From != ourNumber || got.To != customer || got.Body != "It ships today." ||
		got.StatusCallback != publicURL+sms.StatusPath {
		t.Errorf("Twilio received %+v, want from %s to %s with the reply and the status callback", got, ourNumber, customer)
	}
	m := e.message(t, reply.ID)
	if m.DeliveryStatus != inbox.DeliverySent || m.ExternalID == nil || *m.ExternalID != got.SID {
		t.Fatalf("after the send: %s %v, want sent with external id %s", m.DeliveryStatus, m.ExternalID, got.SID)
	}

	for _, st := range []struct{ twilio, want string }{
		{"sent", inbox.DeliverySent},
		{"delivered", inbox.DeliveryDelivered},
		{"sent", inbox.DeliveryDelivered}, // late: never moves the message back
		{"delivered", inbox.DeliveryDelivered},
	} {
		e.status(t, got, st.twilio, 0)
		if m := e.message(t, reply.ID); m.DeliveryStatus != st.want {
			t.Errorf("after %q: %s, want %s", st.twilio, m.DeliveryStatus, st.want)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM sms_parts WHERE message_id = $1 AND status = 'delivered'", reply.ID); n != 1 {
		t.Errorf("%d delivered parts recorded, want 1", n)
	}
}

// waitFor waits for River to finish a job of kind and checks how it ended.
func waitFor(t *testing.T, events <-chan *river.Event, kind string, want river.EventKind) {
	t.Helper()
	timeout := time.After(30 * time.Second) // a hang guard, not a speed check
	for {
		select {
		case ev := <-events:
			if ev.Job.Kind != kind {
				continue
			}
			if ev.Kind != want {
				t.Fatalf("job %s ended %s (%v), want %s", kind, ev.Kind, ev.Job.Errors, want)
			}
			return
		case <-timeout:
			t.Fatalf("job %s did not finish", kind)
		}
	}
}

func TestReplyToOptedOutNumberIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "STOP")
	refused := e.reply(t, "Sorry to see you go")
	requireCancelled(t, e.deliver(t, refused.ID, 1))
	if m := e.message(t, refused.ID); m.DeliveryStatus != inbox.DeliveryFailed || m.DeliveryError != sms.ReasonOptedOut {
		t.Errorf("reply after STOP: %s %q, want failed with %q", m.DeliveryStatus, m.DeliveryError, sms.ReasonOptedOut)
	}
	if n := e.twilio.Requests(); n != 0 {
		t.Errorf("Twilio got %d requests for an opted-out number", n)
	}

	e.text(t, "START")
	sent := e.reply(t, "Welcome back")
	if err := e.deliver(t, sent.ID, 1); err != nil {
		t.Fatal(err)
	}
	if m := e.message(t, sent.ID); m.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("reply after START: %s %q, want sent", m.DeliveryStatus, m.DeliveryError)
	}
	if msgs := e.twilio.Messages(); len(msgs) != 1 || msgs[0].Body != "Welcome back" {
		t.Errorf("Twilio received %+v, want the reply after START only", msgs)
	}
}

func TestTwilioRefusalFailsTheReply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, "Hello!")
	e.twilio.FailNext(1, smstest.InvalidNumber)
	requireCancelled(t, e.deliver(t, m.ID, 1))
	got := e.message(t, m.ID)
	if got.DeliveryStatus != inbox.DeliveryFailed || got.DeliveryError != "The recipient's phone number is not valid." {
		t.Errorf("message = %s %q, want failed with Twilio's reason in words", got.DeliveryStatus, got.DeliveryError)
	}
	if n := e.count(t, "SELECT count(*) FROM sms_parts"); n != 0 {
		t.Errorf("%d parts recorded for a refused message", n)
	}
}

func TestTemporaryFailuresAreRetried(t *testing.T) {
	t.Parallel()
	for _, f := range []smstest.Failure{smstest.ServerError, smstest.RateLimited, smstest.Disconnect} {
		e := newEnv(t)
		e.text(t, "hi")
		m := e.reply(t, "Hello!")
		e.twilio.FailNext(1, f)
		err := e.deliver(t, m.ID, 1)
		var cancel *river.JobCancelError
		if err == nil || errors.As(err, &cancel) {
			t.Fatalf("failure %d: deliver returned %v, want an error River retries", f, err)
		}
		if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySending {
			t.Errorf("failure %d: between attempts the message is %s, want sending", f, got.DeliveryStatus)
		}
		if err := e.deliver(t, m.ID, 2); err != nil {
			t.Fatalf("failure %d: second attempt: %v", f, err)
		}
		if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
			t.Errorf("failure %d: after the retry the message is %s, want sent", f, got.DeliveryStatus)
		}
		if n := len(e.twilio.Messages()); n != 1 {
			t.Errorf("failure %d: Twilio holds %d messages, want 1", f, n)
		}
	}
}

func TestTemporaryFailureOnLastAttemptFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, "Hello!")
	e.twilio.FailNext(1, smstest.ServerError)
	requireCancelled(t, e.deliver(t, m.ID, 8))
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryFailed || got.DeliveryError != "Twilio had an internal error." {
		t.Errorf("message = %s %q, want failed with the last reason", got.DeliveryStatus, got.DeliveryError)
	}
}

// longReply is 2,000 characters of words: two parts.
func longReply() string {
	return strings.TrimSpace(strings.Repeat("Thanks for waiting. ", 100))
}

func TestLongReplyGoesOutInNumberedParts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, longReply())
	if err := e.deliver(t, m.ID, 1); err != nil {
		t.Fatal(err)
	}
	parts := e.twilio.Messages()
	if len(parts) != 2 || !strings.HasPrefix(parts[0].Body, "(1/2) Thanks") || !strings.HasPrefix(parts[1].Body, "(2/2) ") {
		t.Fatalf("Twilio received %d messages, want parts (1/2) and (2/2)", len(parts))
	}
	if got := strings.TrimPrefix(parts[0].Body, "(1/2) ") + " " + strings.TrimPrefix(parts[1].Body, "(2/2) "); got != longReply() {
		t.Errorf("the parts do not add up to the reply")
	}
	got := e.message(t, m.ID)
	if got.DeliveryStatus != inbox.DeliverySent || got.ExternalID == nil || *got.ExternalID != parts[0].SID {
		t.Errorf("message = %s %v, want sent with the first part's SID %s", got.DeliveryStatus, got.ExternalID, parts[0].SID)
	}

	// Delivered only once every part is.
	e.status(t, parts[0], "delivered", 0)
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("with one part delivered the message is %s, want sent", got.DeliveryStatus)
	}
	e.status(t, parts[1], "delivered", 0)
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryDelivered {
		t.Errorf("with both parts delivered the message is %s, want delivered", got.DeliveryStatus)
	}
}

func TestUndeliveredPartFailsTheMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, longReply())
	if err := e.deliver(t, m.ID, 1); err != nil {
		t.Fatal(err)
	}
	parts := e.twilio.Messages()
	e.status(t, parts[0], "delivered", 0)
	e.status(t, parts[1], "undelivered", 30003)
	e.status(t, parts[1], "delivered", 0) // an outcome stands
	got := e.message(t, m.ID)
	want := "Part 2 of 2: The recipient's phone is off or out of coverage."
	if got.DeliveryStatus != inbox.DeliveryUndelivered || got.DeliveryError != want {
		t.Errorf("message = %s %q, want undelivered with %q", got.DeliveryStatus, got.DeliveryError, want)
	}
}

func TestPartialFailureResendsOnlyMissingParts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, longReply())
	e.beforeSend = func(n int) {
		if n == 2 {
			e.twilio.FailNext(1, smstest.ServerError)
		}
	}
	err := e.deliver(t, m.ID, 1)
	var cancel *river.JobCancelError
	if err == nil || errors.As(err, &cancel) {
		t.Fatalf("deliver returned %v, want an error River retries", err)
	}
	first := e.twilio.Messages()
	if len(first) != 1 {
		t.Fatalf("after the first attempt Twilio holds %d messages, want part 1 only", len(first))
	}
	// Part 1 arriving does not make the message delivered while part 2 is
	// unsent.
	e.status(t, first[0], "delivered", 0)
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySending {
		t.Fatalf("with part 2 unsent the message is %s, want sending", got.DeliveryStatus)
	}
	if err := e.deliver(t, m.ID, 2); err != nil {
		t.Fatal(err)
	}
	parts := e.twilio.Messages()
	if len(parts) != 2 || !strings.HasPrefix(parts[0].Body, "(1/2) ") || !strings.HasPrefix(parts[1].Body, "(2/2) ") {
		t.Fatalf("Twilio holds %d messages, want part 1 once and part 2 once", len(parts))
	}
	got := e.message(t, m.ID)
	if got.DeliveryStatus != inbox.DeliverySent || *got.ExternalID != parts[0].SID {
		t.Errorf("message = %s %v, want sent with part 1's SID", got.DeliveryStatus, *got.ExternalID)
	}
}

func TestPermanentFailureOfALaterPartSaysSo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, longReply())
	e.beforeSend = func(n int) {
		if n == 2 {
			e.twilio.FailNext(1, smstest.Unsubscribed)
		}
	}
	requireCancelled(t, e.deliver(t, m.ID, 1))
	want := "The recipient has opted out by replying STOP; they must text START to receive messages again. (part 2 of 2; the earlier parts were sent)"
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryFailed || got.DeliveryError != want {
		t.Errorf("message = %s %q, want failed with %q", got.DeliveryStatus, got.DeliveryError, want)
	}
}

func TestReplyWithoutPhoneFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "api-1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "ana@example.com", Verified: true}, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "Hi Ana", Channel: inbox.ChannelSMS})
	if err != nil {
		t.Fatal(err)
	}
	requireCancelled(t, e.deliver(t, m.ID, 1))
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryFailed || got.DeliveryError != "the customer has no verified phone number to text" {
		t.Errorf("message = %s %q, want failed for want of a phone", got.DeliveryStatus, got.DeliveryError)
	}
}

func TestSendThroughMessagingServiceInbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addInbox(t, "Service pool", sms.Settings{AccountSID: accountSID, MessagingServiceSID: serviceSID})
	form := smstest.InboundForm(smstest.SMS{AccountSID: accountSID, MessagingServiceSID: serviceSID,
		From: customer, To: "+14155550122", Body: "hi"})
	e.requireTaken(t, e.post(e.ch.InboundHandler(), sms.InboundPath, form))
	m := e.reply(t, "Hello from the pool")
	if err := e.deliver(t, m.ID, 1); err != nil {
		t.Fatal(err)
	}
	msgs := e.twilio.Messages()
	if len(msgs) != 1 || msgs[0].MessagingServiceSID != serviceSID || msgs[0].From != "" || msgs[0].Status != "accepted" {
		t.Fatalf("Twilio received %+v, want one message through the service", msgs)
	}
	// The callback names the service, not a number of ours.
	e.status(t, msgs[0], "delivered", 0)
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliveryDelivered {
		t.Errorf("message = %s, want delivered", got.DeliveryStatus)
	}
}
