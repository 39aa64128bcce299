package workflow_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestOneSLAComputeJobServesEveryConversationOfAChange: a change that moves the clocks of
// several conversations (the customers' messages of one group commit) enqueues one sla_compute
// job naming them all, and that job brings every one's clocks up to date in one transaction;
// when one of the conversations it names is gone, the others are still brought up to date and
// the job is not retried.
func TestOneSLAComputeJobServesEveryConversationOfAChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann := e.agent(t, "ann", 100)
	support := e.team(t, "Support", ann)
	in := e.inboxOf(t, "web", support.ID)
	if _, err := workflow.NewSLA(e.pool, e.store).CreatePolicy(ctx, workflow.NewPolicy{Name: "all",
		FirstResponse: time.Hour, Resolution: 8 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	a := e.message(t, in, "a@example.com", "A", "First").ConversationID
	b := e.message(t, in, "b@example.com", "B", "Second").ConversationID
	e.work(t, 4)()
	running := func(id int64) int {
		return e.count(t, `SELECT count(*) FROM sla_clocks WHERE conversation_id = $1 AND state = 'running' AND due_at IS NOT NULL`, id)
	}
	if running(a) != 2 || running(b) != 2 {
		t.Fatalf("after triage: %d and %d running clocks, want 2 each", running(a), running(b))
	}

	// The clocks are gone (as if never computed); then one change announces a customer message
	// in each conversation, and its job, worked by the client started above, computes them again.
	if _, err := e.pool.Exec(ctx, `DELETE FROM sla_clocks WHERE conversation_id = ANY($1)`, []int64{a, b}); err != nil {
		t.Fatal(err)
	}
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	const gone = int64(987654321)
	err = pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		var events []inbox.Event
		for _, id := range []int64{b, a, b, gone} {
			events = append(events, inbox.Event{Type: inbox.EventMessageCreated, ConversationID: id,
				Direction: inbox.DirectionInbound, At: e.clock()})
		}
		return jobs.Enqueue(ctx, tx, events)
	})
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	rows, err := e.pool.Query(ctx, `SELECT args::text FROM river_job WHERE kind = 'sla_compute'`)
	if err != nil {
		t.Fatal(err)
	}
	if args, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	want := `{"conversation_ids": [` + strconv.FormatInt(a, 10) + `, ` + strconv.FormatInt(b, 10) + `, 987654321]}`
	if a > b {
		want = `{"conversation_ids": [` + strconv.FormatInt(b, 10) + `, ` + strconv.FormatInt(a, 10) + `, 987654321]}`
	}
	if len(args) != 1 || args[0] != want {
		t.Fatalf("sla_compute jobs %q, want one: %s", args, want)
	}

	guard := time.Now().Add(60 * time.Second) // against a hung job, not a measure of speed
	for e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sla_compute' AND state IN ('available', 'running')`) > 0 {
		if time.Now().After(guard) {
			t.Fatal("the sla_compute job did not end within 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if running(a) != 2 || running(b) != 2 {
		t.Fatalf("after the job: %d and %d running clocks, want 2 each", running(a), running(b))
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sla_compute' AND (state <> 'completed' OR errors IS NOT NULL)`); n != 0 {
		t.Fatalf("%d sla_compute jobs not completed at the first attempt", n)
	}
}
