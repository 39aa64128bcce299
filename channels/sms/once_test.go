package sms_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
)

// loseNthPost makes e drop the fake's answer to its nth request to create a
// message (1-based): Twilio has the message, the sender does not know.
func loseNthPost(e *env, n int32) {
	var posts atomic.Int32
	e.loseAnswer = func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Messages.json") && posts.Add(1) == n
	}
}

// TestInterruptedSendIsNotSentAgain: Twilio takes a reply but its answer is lost, so the
// delivery cannot record it and fails; the retry finds the message at Twilio (by its list)
// and takes its SID instead of sending it again. An earlier reply with the same text, already
// recorded, is not mistaken for it.
func TestInterruptedSendIsNotSentAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	first := e.reply(t, "Thanks!")
	if err := e.deliver(t, first.ID, 1); err != nil {
		t.Fatalf("first reply: %v", err)
	}
	if n := e.twilio.Lists(); n != 0 {
		t.Errorf("an uninterrupted delivery listed Twilio's messages %d times, want 0", n)
	}
	m := e.reply(t, "Thanks!")
	loseNthPost(e, 1)
	if err := e.deliver(t, m.ID, 1); err == nil {
		t.Fatal("the delivery whose answer was lost succeeded, want an error River retries")
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySending {
		t.Fatalf("after the lost answer the reply is %s, want sending", got.DeliveryStatus)
	}
	if err := e.deliver(t, m.ID, 2); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := e.twilio.Messages()
	if len(sent) != 2 {
		t.Fatalf("Twilio received %d messages, want 2 (each reply once)", len(sent))
	}
	got := e.message(t, m.ID)
	if got.DeliveryStatus != inbox.DeliverySent || got.ExternalID == nil || *got.ExternalID != sent[1].SID {
		t.Errorf("after the retry: %s %v, want sent as %s", got.DeliveryStatus, got.ExternalID, sent[1].SID)
	}
	if n := e.count(t, "SELECT count(*) FROM sms_attempts"); n != 0 {
		t.Errorf("%d attempts left after both replies were recorded, want 0", n)
	}
}

// TestUnsentMessageIsSentOnRetry: the connection drops before Twilio takes the reply; the
// retry looks for it at Twilio, does not find it, and sends it once.
func TestUnsentMessageIsSentOnRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, "It ships today.")
	e.twilio.FailNext(1, smstest.Disconnect)
	if err := e.deliver(t, m.ID, 1); err == nil {
		t.Fatal("the delivery over a dropped connection succeeded, want an error River retries")
	}
	if n := len(e.twilio.Messages()); n != 0 {
		t.Fatalf("Twilio holds %d messages after the dropped connection, want 0", n)
	}
	if err := e.deliver(t, m.ID, 2); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := e.twilio.Messages()
	if len(sent) != 1 || e.twilio.Lists() != 1 {
		t.Fatalf("Twilio received %d messages after %d lists, want 1 after 1", len(sent), e.twilio.Lists())
	}
	if got := e.message(t, m.ID); got.ExternalID == nil || *got.ExternalID != sent[0].SID {
		t.Errorf("the reply's external id is %v, want %s", got.ExternalID, sent[0].SID)
	}
}

// TestInterruptedPartIsNotSentAgain: a long reply goes as three parts; Twilio takes the
// second but its answer is lost. The retry skips the recorded first part, finds the second at
// Twilio and sends only the third: each part reaches Twilio once.
func TestInterruptedPartIsNotSentAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	text := strings.Repeat("All good here, thanks for asking. ", 100)
	parts := sms.Split(text)
	if len(parts) != 3 {
		t.Fatalf("the text splits into %d parts, want 3", len(parts))
	}
	m := e.reply(t, text)
	loseNthPost(e, 2)
	if err := e.deliver(t, m.ID, 1); err == nil {
		t.Fatal("the delivery whose second answer was lost succeeded, want an error River retries")
	}
	if err := e.deliver(t, m.ID, 2); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := e.twilio.Messages()
	if len(sent) != len(parts) {
		t.Fatalf("Twilio received %d messages, want %d (each part once)", len(sent), len(parts))
	}
	for i, s := range sent {
		if s.Body != parts[i] {
			t.Errorf("message %d at Twilio is %.30q..., want part %d", i+1, s.Body, i+1)
		}
		if n := e.count(t, "SELECT count(*) FROM sms_parts WHERE message_id = $1 AND part = $2 AND sid = $3",
			m.ID, i+1, s.SID); n != 1 {
			t.Errorf("part %d is not recorded as %s", i+1, s.SID)
		}
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("after the retry the reply is %s, want sent", got.DeliveryStatus)
	}
}

// TestUnrecordedSendIsNotSentAgain is the fault of a database outage: Twilio takes the reply
// and answers, but the part cannot be recorded (here a constraint, added while Twilio holds the
// request, refuses it). The delivery fails temporarily; once the database takes writes again
// the retry finds the message at Twilio and records it: Twilio receives it once.
func TestUnrecordedSendIsNotSentAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.text(t, "hi")
	m := e.reply(t, "Your refund is on its way.")
	e.twilio.BeforeAnswer(func(smstest.Message) {
		if _, err := e.pool.Exec(ctx, `ALTER TABLE sms_parts ADD CONSTRAINT down CHECK (false) NOT VALID`); err != nil {
			t.Error(err)
		}
	})
	err := e.deliver(t, m.ID, 1)
	var cancel *river.JobCancelError
	if err == nil || errors.As(err, &cancel) {
		t.Fatalf("the delivery that could not be recorded returned %v, want an error River retries", err)
	}
	e.twilio.BeforeAnswer(nil)
	if _, err := e.pool.Exec(ctx, `ALTER TABLE sms_parts DROP CONSTRAINT down`); err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(t, m.ID, 2); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := e.twilio.Messages()
	if len(sent) != 1 {
		t.Fatalf("Twilio received %d messages, want 1", len(sent))
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent || got.ExternalID == nil || *got.ExternalID != sent[0].SID {
		t.Errorf("after the retry: %s %v, want sent as %s", got.DeliveryStatus, got.ExternalID, sent[0].SID)
	}
}
