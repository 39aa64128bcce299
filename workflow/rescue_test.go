package workflow_test

import (
	"context"
	"testing"
)

// TestDeadProcessJobsRescued: a routing job left "running" by a process that died two minutes
// ago (its row says so; no process works it) is run again by another process's client, so the
// customer is routed and assigned. River's default (an hour) would leave it running.
func TestDeadProcessJobsRescued(t *testing.T) {
	t.Parallel()
	e := newRoutingEnv(t)
	ann := e.agent(t, "ann", 5)
	support := e.team(t, "Support", ann)
	in := e.inboxOf(t, "web", support.ID)
	conv := e.message(t, in, "jane@example.com", "Order 1234", "Where is my parcel?")
	n := e.count(t, `WITH stuck AS (
		UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '2 minutes',
			attempted_by = ARRAY['a-dead-process']
		WHERE kind = 'triage' RETURNING 1) SELECT count(*) FROM stuck`)
	if n != 1 {
		t.Fatalf("%d triage jobs, want 1", n)
	}
	drain := e.work(t, 2)
	drain() // fails the test if the stuck job is still running after 60 s
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage' AND state = 'completed'
		AND errors[1]->>'error' LIKE 'Stuck job rescued%'`); n != 1 {
		t.Errorf("the stuck triage job was not rescued and completed: %v", e.jobErrors(t))
	}
	got, err := e.store.GetConversation(context.Background(), conv.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AssigneeID == nil || *got.AssigneeID != ann.ID {
		t.Errorf("conversation assigned to %v, want Ann (%d)", got.AssigneeID, ann.ID)
	}
}
