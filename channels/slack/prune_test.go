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

	// River takes the hourly prune alongside the other periodic jobs.
	if _, err := workflow.NewClient(e.jobConfig(t)); err != nil {
		t.Fatalf("river client with the Slack prune: %v", err)
	}
}
