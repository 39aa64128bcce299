package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// downProvider is a provider that never answers: every fetch fails with an error River retries.
type downProvider struct{}

func (downProvider) FetchAttachment(context.Context, int64, string) (inbox.NewAttachment, error) {
	return inbox.NewAttachment{}, errors.New("provider unreachable")
}

// TestJobFailingEveryTimeIsDiscardedAndBlocksNoOther: with one worker per queue, a job that
// fails on every attempt ends discarded after its max attempts, each failure recorded on it,
// while the other jobs of its queue (the routing of new conversations) and the replies'
// deliveries all finish.
func TestJobFailingEveryTimeIsDiscardedAndBlocksNoOther(t *testing.T) {
	t.Parallel()
	e := newRoutingEnv(t)
	ctx := context.Background()
	var convs []int64
	for _, from := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		convs = append(convs, e.message(t, 0, from, "help", "hello").ConversationID)
	}
	cfg := workflow.Config{Pool: e.pool, Store: e.store, MaxWorkers: 1, FetchCooldown: 10 * time.Millisecond}
	cfg.AddChannel(inbox.ChannelSMS, channels.Parts{Fetcher: downProvider{}})
	client, err := workflow.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Insert(ctx, channels.FetchAttachmentArgs{MessageID: 1, Channel: inbox.ChannelSMS, InboxID: 1,
		URL: "https://provider.example/file", Filename: "photo.jpg"}, &river.InsertOpts{MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range convs {
		if _, err := e.store.Send(ctx, inbox.Reply{ConversationID: id, Text: "on it"}); err != nil {
			t.Fatal(err)
		}
	}
	events, stop := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer stop()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(context.Background()) }()

	deadline := time.After(60 * time.Second) // a hang guard, not a speed check
	for e.count(t, `SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')`) > 0 {
		select {
		case <-events:
		case <-time.After(200 * time.Millisecond): // in case an event was dropped
		case <-deadline:
			t.Fatal("jobs still pending after 60 s")
		}
	}
	var state string
	var attempt, errs int
	err = e.pool.QueryRow(ctx, `SELECT state, attempt, coalesce(array_length(errors, 1), 0) FROM river_job WHERE id = $1`,
		res.Job.ID).Scan(&state, &attempt, &errs)
	if err != nil || state != "discarded" || attempt != 2 || errs != 2 {
		t.Errorf("the failing job: %s after %d attempts with %d errors (%v), want discarded after 2 with 2", state, attempt, errs, err)
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage' AND state = 'completed'`); n != len(convs) {
		t.Errorf("%d triage jobs completed, want %d", n, len(convs))
	}
	// The API channel's replies leave through a webhook; with no endpoint they fail at once,
	// which is an outcome all the same: none waits behind the failing job.
	if n := e.count(t, `SELECT count(*) FROM messages WHERE direction = 'outbound' AND delivery_status IN ('sent', 'failed')`); n != len(convs) {
		t.Errorf("%d replies delivered or failed, want %d", n, len(convs))
	}
}
