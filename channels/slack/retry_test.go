package slack_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestRateLimitedReplyIsPostedOnceByRiver: under a running River client, Slack answering 429
// `ratelimited` with Retry-After snoozes the delivery for that long; once Slack takes it the
// reply is posted exactly once, and the job completes with no error recorded (a snooze is not
// a failed attempt).
func TestRateLimitedReplyIsPostedOnceByRiver(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "hello", "1700001200.000001")))
	m := e.message(t, "C0SHARED:1700001200.000001")
	jobs, err := workflow.NewClient(e.jobConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	done, stop := jobs.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed)
	defer stop()
	e.fake.FailNext("chat.postMessage", slacktest.RateLimit(time.Second))
	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "on its way"})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = jobs.Stop(context.Background()) }()
	timeout := time.After(30 * time.Second) // a hang guard, not a speed check
	for ended := false; !ended; {
		select {
		case ev := <-done:
			if ev.Job.Kind != "deliver" {
				continue
			}
			if ev.Kind != river.EventKindJobCompleted || len(ev.Job.Errors) != 0 {
				t.Fatalf("deliver ended %s with errors %v, want completed with none", ev.Kind, ev.Job.Errors)
			}
			ended = true
		case <-timeout:
			t.Fatal("the delivery did not finish")
		}
	}
	if n := e.fake.Calls("chat.postMessage"); n != 2 {
		t.Errorf("chat.postMessage called %d times, want 2 (the 429, the post)", n)
	}
	if posts := e.fake.Posts(); len(posts) != 1 || posts[0].Text != "on its way" {
		t.Errorf("Slack holds %+v, want the reply once", posts)
	}
	if got, _ := e.store.GetMessage(ctx, out.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("reply is %s, want sent", got.DeliveryStatus)
	}
}
