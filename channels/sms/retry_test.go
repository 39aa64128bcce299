package sms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestTwilioOutageThenRateLimit: Twilio answers 500, then 429 with Retry-After; the delivery is
// retried with backoff after the 500, snoozed for exactly Twilio's Retry-After after the 429
// (using up no attempt), and sent once when Twilio takes it.
func TestTwilioOutageThenRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "hi")
	m := e.reply(t, "Hello!")
	e.twilio.FailNext(1, smstest.ServerError)
	e.twilio.FailNext(1, smstest.RateLimitedRetryAfter)

	err := e.deliver(t, m.ID, 1)
	var cancel *river.JobCancelError
	var snooze *river.JobSnoozeError
	if err == nil || errors.As(err, &cancel) || errors.As(err, &snooze) {
		t.Fatalf("after Twilio's 500: %v, want an error River retries with backoff", err)
	}
	err = e.deliver(t, m.ID, 2)
	if !errors.As(err, &snooze) || snooze.Duration != smstest.RetryAfterSeconds*time.Second {
		t.Fatalf("after Twilio's 429: %v, want a snooze of Twilio's Retry-After (%ds)", err, smstest.RetryAfterSeconds)
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySending {
		t.Errorf("while rate limited the message is %s, want sending", got.DeliveryStatus)
	}
	if err := e.deliver(t, m.ID, 2); err != nil {
		t.Fatalf("once Twilio is back: %v", err)
	}
	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("after Twilio took it the message is %s, want sent", got.DeliveryStatus)
	}
	if n, reqs := len(e.twilio.Messages()), e.twilio.Requests(); n != 1 || reqs != 3 {
		t.Errorf("Twilio holds %d messages after %d requests, want 1 after 3", n, reqs)
	}
}

// TestTwilioOutageWithRiverRunning: the same faults under a running River client: the reply is
// sent exactly once when Twilio is back, its job completed with the 500 as its one error (the
// 429's snooze is not an attempt), and a permanent refusal of another reply (21610, the
// customer unsubscribed) fails that reply at once with the reason and is not retried.
func TestTwilioOutageWithRiverRunning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	done, start := e.river(t)
	e.text(t, "hi")
	e.twilio.FailNext(1, smstest.Unsubscribed)
	refused := e.reply(t, "Are you still there?")
	start()
	waitFor(t, done, "deliver", river.EventKindJobCancelled)
	if got := e.message(t, refused.ID); got.DeliveryStatus != inbox.DeliveryFailed ||
		got.DeliveryError != "The recipient has opted out by replying STOP; they must text START to receive messages again." {
		t.Errorf("after 21610: %s %q, want failed with the reason", got.DeliveryStatus, got.DeliveryError)
	}

	e.twilio.FailNext(1, smstest.ServerError)
	e.twilio.FailNext(1, smstest.RateLimitedRetryAfter)
	m := e.reply(t, "It ships today.")
	waitFor(t, retried(done), "deliver", river.EventKindJobCompleted)

	if got := e.message(t, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("after the outage the reply is %s, want sent", got.DeliveryStatus)
	}
	if n := len(e.twilio.Messages()); n != 1 {
		t.Errorf("Twilio holds %d messages, want the reply once", n)
	}
	if n := e.twilio.Requests(); n != 4 {
		t.Errorf("Twilio got %d requests, want 4 (the refusal, the 500, the 429, the send)", n)
	}
	var attempts, errs int
	err := e.pool.QueryRow(ctx, `SELECT attempt, coalesce(array_length(errors, 1), 0) FROM river_job
		WHERE kind = 'deliver' AND args @> jsonb_build_object('message_id', $1::bigint)`, m.ID).Scan(&attempts, &errs)
	if err != nil || errs != 1 {
		t.Errorf("the job recorded %d errors in %d attempts (%v), want the 500 only", errs, attempts, err)
	}
}

// retried passes on the events of jobs that ended, dropping those of failed attempts River
// will retry.
func retried(events <-chan *river.Event) <-chan *river.Event {
	out := make(chan *river.Event)
	go func() {
		for ev := range events {
			if ev.Kind == river.EventKindJobFailed && ev.Job.State != rivertype.JobStateDiscarded {
				continue
			}
			out <- ev
		}
		close(out)
	}()
	return out
}

// river returns a River client's end-of-job events and a function that starts the client, a
// server's with the SMS channel as its sender; the client stops when the test ends.
func (e *env) river(t *testing.T) (<-chan *river.Event, func()) {
	t.Helper()
	return e.riverWith(t, workflow.Config{Pool: e.pool, Store: e.store,
		Senders: map[inbox.Channel]channels.Sender{inbox.ChannelSMS: e.ch}})
}

// riverWith is river with cfg: a client whose job events it returns, and its start.
func (e *env) riverWith(t *testing.T, cfg workflow.Config) (<-chan *river.Event, func()) {
	t.Helper()
	jobs, err := workflow.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := jobs.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed)
	t.Cleanup(cancel)
	return done, func() {
		if err := jobs.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	}
}
