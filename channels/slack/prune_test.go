package slack_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

func TestPruneDeletesOnlyEventsOlderThanADay(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	for id, age := range map[string]time.Duration{"EvOLD": 25 * time.Hour, "EvEDGE": 23 * time.Hour, "EvNEW": time.Minute} {
		if _, err := e.pool.Exec(ctx, `INSERT INTO slack_events (event_id, inbox_id, received_at) VALUES ($1, $2, $3)`,
			id, e.inbox.ID, e.now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	w := jobtest.New[slack.PruneArgs](t, e.pool, e.workers(t))
	if err := w.Work(t, slack.PruneArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM slack_events WHERE event_id = 'EvOLD'`); n != 0 {
		t.Fatal("an event id older than a day was kept")
	}
	if n := e.count(t, `SELECT count(*) FROM slack_events WHERE event_id IN ('EvEDGE', 'EvNEW')`); n != 2 {
		t.Fatalf("%d of the 2 recent event ids kept", n)
	}

}

// TestPruneRunsWhenTheWorkersStart starts River with the Slack channel's jobs: the prune runs at
// once (then hourly: TestPruneScheduleIsHourly), and an old event id is gone.
func TestPruneRunsWhenTheWorkersStart(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := e.pool.Exec(ctx, `INSERT INTO slack_events (event_id, inbox_id, received_at) VALUES ('EvOLD', $1, $2)`,
		e.inbox.ID, e.now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	client, err := workflow.NewClient(e.jobConfig(t))
	if err != nil {
		t.Fatalf("river client with the Slack prune: %v", err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(context.WithoutCancel(ctx)) }()
	deadline := time.Now().Add(30 * time.Second)
	for e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'slack_prune' AND state = 'completed'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no slack_prune job ran when the workers started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := e.count(t, `SELECT count(*) FROM slack_events WHERE event_id = 'EvOLD'`); n != 0 {
		t.Fatal("the prune that ran on start kept an event id two days old")
	}
}
