package workflow_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestTriageRoutesClocksAndAssignsEveryNewConversationOnce attacks the triage's batching: new
// conversations arrive from several customers at once while eight workers triage them, each
// job taking whichever others are waiting. Every conversation must be routed exactly once
// (one "routed" audit entry where the rule fired, one team change at most), get its SLA clock
// and be assigned in the team the rule chose; no job may fail; and a new conversation causes a
// triage job, not the route and sla_compute jobs it replaced. With routing at the ingest
// (inbox.Router), as the server routes, the same must hold, each conversation written routed
// and causing no triage job at all.
func TestTriageRoutesClocksAndAssignsEveryNewConversationOnce(t *testing.T) {
	t.Parallel()
	for _, atIngest := range []bool{false, true} {
		t.Run(fmt.Sprintf("routed at the ingest %v", atIngest), func(t *testing.T) {
			t.Parallel()
			routesClocksAndAssignsOnce(t, atIngest)
		})
	}
}

// routesClocksAndAssignsOnce is TestTriageRoutesClocksAndAssignsEveryNewConversationOnce, with
// the routing done at the ingest when atIngest is set.
func routesClocksAndAssignsOnce(t *testing.T, atIngest bool) {
	ctx := context.Background()
	e := newRoutingEnvWith(t, atIngest)
	ann, ben, cy := e.agent(t, "ann", 100), e.agent(t, "ben", 100), e.agent(t, "cy", 100)
	billing := e.team(t, "Billing", ann, ben)
	support := e.team(t, "Support", cy)
	in := e.inboxOf(t, "web", support.ID)
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "invoices", Conditions: workflow.Conditions{Keywords: []string{"invoice"}},
		SetTeam: "Billing", Actions: workflow.Actions{SetPriority: inbox.PriorityHigh}}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflow.NewSLA(e.pool, e.store).CreatePolicy(ctx, workflow.NewPolicy{Name: "all",
		FirstResponse: time.Hour, Resolution: 8 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	ingest := func(n int, text string) (int64, error) {
		res, err := e.store.Ingest(ctx, inbox.Inbound{InboxID: in, Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("m-%d", n),
			From: inbox.Identity{Kind: inbox.IdentityEmail, Address: fmt.Sprintf("c%d@example.com", n), Verified: true},
			Text: text})
		if err == nil && !res.NewConversation {
			err = fmt.Errorf("message %d started no conversation", n)
		}
		return res.ConversationID, err
	}
	text := func(n int) string {
		if n%2 == 0 {
			return "About my invoice, please"
		}
		return "Where is my parcel?"
	}

	first, err := ingest(0, text(0))
	if err != nil {
		t.Fatal(err)
	}
	kinds := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage' AND args->'conversation_ids' @> to_jsonb(ARRAY[$1::bigint])`, first)
	replaced := e.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('route', 'sla_compute', 'assign')
		AND ((args->>'conversation_id')::bigint = $1 OR args->'conversation_ids' @> to_jsonb(ARRAY[$1::bigint]))`, first)
	if atIngest {
		// Written routed to Billing, its clocks left to one sla_compute job and its team's queue
		// to one pass carrying the ingest's transaction id.
		routed := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND routed_at IS NOT NULL AND team_id = $2`, first, billing.ID)
		passes := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'assign_waiting' AND (args->>'team_id')::bigint = $1
			AND (args->>'after')::bigint > 0`, billing.ID)
		if kinds != 0 || replaced != 1 || routed != 1 || passes != 1 {
			t.Fatalf("a new conversation routed at the ingest: %d triage jobs, %d route, sla_compute or assign jobs, "+
				"%d routed to Billing, %d passes of Billing; want 0, 1, 1 and 1", kinds, replaced, routed, passes)
		}
	} else if kinds != 1 || replaced != 0 {
		t.Fatalf("a new conversation enqueued %d triage jobs and %d route, sla_compute or assign jobs, want 1 and 0", kinds, replaced)
	}

	drain := e.work(t, 8)
	const customers, each = 6, 10
	ids := make(chan int64, customers*each)
	var wg sync.WaitGroup
	var failed sync.Once
	var failure error
	for c := range customers {
		wg.Go(func() {
			for i := range each {
				n := 1 + c*each + i
				id, err := ingest(n, text(n))
				if err != nil {
					failed.Do(func() { failure = err })
					return
				}
				ids <- id
			}
		})
	}
	wg.Wait()
	close(ids)
	if failure != nil {
		t.Fatal(failure)
	}
	drain()
	if errs := e.jobErrors(t); len(errs) > 0 {
		t.Fatalf("jobs failed: %s", strings.Join(errs, "; "))
	}

	all := []int64{first}
	for id := range ids {
		all = append(all, id)
	}
	invoices := 0
	for _, id := range all {
		c := e.conversation(t, id)
		invoice := strings.Contains(e.firstText(t, id), "invoice")
		wantTeam, wantPriority, wantRouted := support.ID, inbox.PriorityNormal, 0
		if invoice {
			invoices++
			wantTeam, wantPriority, wantRouted = billing.ID, inbox.PriorityHigh, 1
		}
		if c.TeamID == nil || *c.TeamID != wantTeam || c.Priority != wantPriority {
			t.Errorf("conversation %d: team %v priority %s, want %d and %s", id, c.TeamID, c.Priority, wantTeam, wantPriority)
		}
		if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind = 'routed'`, id); n != wantRouted {
			t.Errorf("conversation %d: %d routed entries, want %d", id, n, wantRouted)
		}
		if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind = 'team'`, id); n > 1 {
			t.Errorf("conversation %d: %d team changes, want at most 1", id, n)
		}
		if n := e.count(t, `SELECT count(*) FROM sla_clocks WHERE conversation_id = $1 AND target = 'first_response'
			AND state = 'running' AND due_at IS NOT NULL`, id); n != 1 {
			t.Errorf("conversation %d: %d running first-response clocks, want 1", id, n)
		}
		switch {
		case c.AssigneeID == nil:
			t.Errorf("conversation %d was not assigned", id)
		case invoice && *c.AssigneeID != ann.ID && *c.AssigneeID != ben.ID, !invoice && *c.AssigneeID != cy.ID:
			t.Errorf("conversation %d assigned to %d, outside its team", id, *c.AssigneeID)
		}
	}
	if invoices != len(all)/2+1 {
		t.Fatalf("%d invoice conversations of %d: the test's own arithmetic is off", invoices, len(all))
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage'`); atIngest && n != 0 {
		t.Errorf("%d triage jobs with every conversation routed at the ingest, want 0", n)
	}
}

// firstText returns the text of a conversation's first message.
func (e *routingEnv) firstText(t testing.TB, id int64) string {
	t.Helper()
	var s string
	if err := e.pool.QueryRow(context.Background(), `SELECT text FROM messages WHERE conversation_id = $1 ORDER BY id LIMIT 1`,
		id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAssignPassLeavesItsQueueToALaterOne: of two passes over one team waiting to start, the
// first leaves the queue to the second, which reads it later and so serves all the first would
// have; a pass that no later one follows serves the queue.
func TestAssignPassLeavesItsQueueToALaterOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann := e.agent(t, "ann", 5)
	support := e.team(t, "Support", ann)
	in := e.inboxOf(t, "web", support.ID)
	conv := e.message(t, in, "jane@example.com", "Order 1234", "Where is my parcel?").ConversationID
	// Routed by hand: no worker runs here, and the queue must hold it when the passes run.
	if _, err := e.pool.Exec(ctx, `UPDATE conversations SET routed_at = now() WHERE id = $1`, conv); err != nil {
		t.Fatal(err)
	}
	client, err := river.NewClient(riverpgxv5.New(e.pool), &river.Config{SkipUnknownJobCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	args := workflow.AssignWaitingArgs{TeamID: support.ID}
	var rows []*rivertype.JobRow
	for range 2 {
		res, err := client.Insert(ctx, args, nil)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, res.Job)
	}
	if err := workflow.WorkAssignPass(ctx, e.store, rows[0], args); err != nil {
		t.Fatal(err)
	}
	if c := e.conversation(t, conv); c.AssigneeID != nil {
		t.Fatalf("the first pass assigned %d although a later one waits", *c.AssigneeID)
	}
	if err := workflow.WorkAssignPass(ctx, e.store, rows[1], args); err != nil {
		t.Fatal(err)
	}
	if c := e.conversation(t, conv); c.AssigneeID == nil || *c.AssigneeID != ann.ID {
		t.Fatalf("after the last pass: assignee %v, want %d", c.AssigneeID, ann.ID)
	}
}

// TestTriageOfOneConversationThatFailsHoldsUpNoOther: a conversation whose routing cannot be
// applied (here PostgreSQL refuses its row, a fault injected by a trigger) fails its own triage
// job, and neither the batches that take it nor that failure keep the conversations after it
// from being routed and assigned.
func TestTriageOfOneConversationThatFailsHoldsUpNoOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann := e.agent(t, "ann", 100)
	support := e.team(t, "Support", ann)
	in := e.inboxOf(t, "web", support.ID)
	poison := e.message(t, in, "first@example.com", "First", "I come first").ConversationID
	if _, err := e.pool.Exec(ctx, fmt.Sprintf(`
		CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'injected fault: conversation %% refused', NEW.id; END $$;
		CREATE TRIGGER refuse_poison BEFORE UPDATE OF routed_at ON conversations
			FOR EACH ROW WHEN (NEW.id = %d) EXECUTE FUNCTION refuse_poison();`, poison)); err != nil {
		t.Fatal(err)
	}
	var later []int64
	for i := range 5 {
		later = append(later, e.message(t, in, fmt.Sprintf("c%d@example.com", i), "Later", "After the first").ConversationID)
	}
	e.work(t, 4)
	deadline := time.Now().Add(60 * time.Second)
	for _, id := range later {
		for c := e.conversation(t, id); c.AssigneeID == nil; c = e.conversation(t, id) {
			if time.Now().After(deadline) {
				t.Fatalf("conversation %d not assigned 60 s on, behind the failing one (jobs: %v)", id, e.jobErrors(t))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if c := e.conversation(t, poison); c.AssigneeID != nil {
		t.Fatalf("the refused conversation was assigned: %+v", c)
	}
	failing := func() int {
		return e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage' AND state <> 'completed'
			AND errors IS NOT NULL AND args->'conversation_ids' @> to_jsonb(ARRAY[$1::bigint])`, poison)
	}
	for failing() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the refused conversation's own triage job recorded no failure")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := failing(); n != 1 {
		t.Fatalf("%d failing triage jobs of the refused conversation, want 1", n)
	}
	// The batches that took it failed, and were tried again at once without it: no other job
	// recorded an error (or waited for River's retry).
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'triage' AND errors IS NOT NULL
		AND NOT args->'conversation_ids' @> to_jsonb(ARRAY[$1::bigint])`, poison); n != 0 {
		t.Fatalf("%d triage jobs of other conversations failed", n)
	}
}
