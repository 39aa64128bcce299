package workflow_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// assignInParallel seeds n conversations waiting in a team of five agents of capacity 10,
// enqueues one assign job per conversation and works them with 20 workers at once. It returns
// the agents and the conversations, oldest first.
func assignInParallel(t *testing.T, n int) (*routingEnv, []inbox.Agent, []int64) {
	t.Helper()
	ctx := context.Background()
	e := newRoutingEnv(t)
	var agents []inbox.Agent
	for i := range 5 {
		agents = append(agents, e.agent(t, fmt.Sprintf("agent%d", i), 10))
	}
	team := e.team(t, "Support", agents...)
	in := e.inboxOf(t, "web", team.ID)
	// Seed without enqueueing anything, so that only the assign jobs below run. The first
	// conversation, the oldest, stays unrouted: its team is not settled, so nobody may take it.
	seed := inbox.New(e.pool, inbox.Options{Clock: e.clock})
	unrouted, err := seed.Ingest(ctx, inbox.Inbound{InboxID: in, Channel: inbox.ChannelAPI, ExternalID: "unrouted",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "new@example.com", Verified: true}, Text: "help"})
	if err != nil {
		t.Fatal(err)
	}
	convs := make([]int64, 0, n)
	params := make([]river.InsertManyParams, 0, n)
	for i := range n {
		e.advance(1)
		res, err := seed.Ingest(ctx, inbox.Inbound{InboxID: in, Channel: inbox.ChannelAPI, ExternalID: fmt.Sprint("m", i),
			From: inbox.Identity{Kind: inbox.IdentityEmail, Address: fmt.Sprintf("c%d@example.com", i), Verified: true}, Text: "help"})
		if err != nil {
			t.Fatal(err)
		}
		convs = append(convs, res.ConversationID)
		params = append(params, river.InsertManyParams{Args: workflow.AssignArgs{ConversationID: res.ConversationID}})
	}
	// The rest count as routed, as the route job would have marked them.
	if _, err := e.pool.Exec(ctx, `UPDATE conversations SET routed_at = created_at WHERE id = ANY($1)`, convs); err != nil {
		t.Fatal(err)
	}
	params = append(params, river.InsertManyParams{Args: workflow.AssignArgs{ConversationID: unrouted.ConversationID}})
	if _, err := insertOnly(t, e).InsertMany(ctx, params); err != nil {
		t.Fatal(err)
	}
	drain := e.work(t, 20)
	drain()
	if c := e.conversation(t, unrouted.ConversationID); c.AssigneeID != nil {
		t.Fatalf("the unrouted conversation was assigned to %d", *c.AssigneeID)
	}
	return e, agents, convs
}

func TestParallelAssignNeverExceedsCapacityAndEvensLoad(t *testing.T) {
	t.Parallel()
	e, agents, convs := assignInParallel(t, 200)
	for i, load := range e.loads(t, agents...) {
		if load != 10 {
			t.Errorf("agent %d has %d conversations, want exactly its capacity 10", agents[i].ID, load)
		}
	}
	// The 50 oldest got the 50 places; the 150 newer ones wait, unassigned.
	assigned := e.count(t, `SELECT count(*) FROM conversations WHERE id = ANY($1) AND assignee_id IS NOT NULL`, convs[:50])
	waiting := e.count(t, `SELECT count(*) FROM conversations WHERE id = ANY($1) AND assignee_id IS NULL`, convs[50:])
	if assigned != 50 || waiting != 150 {
		t.Fatalf("oldest assigned = %d of 50, newest waiting = %d of 150", assigned, waiting)
	}
	if n := e.count(t, `SELECT count(*) FROM conversation_events WHERE kind = 'assign' AND actor = 'system'`); n != 50 {
		t.Fatalf("assign audit rows = %d, want 50", n)
	}
}

func TestParallelAssignSpreadsLoadEvenly(t *testing.T) {
	t.Parallel()
	e, agents, _ := assignInParallel(t, 23)
	loads := e.loads(t, agents...)
	slices.Sort(loads)
	if !slices.Equal(loads, []int{4, 4, 5, 5, 5}) {
		t.Fatalf("loads = %v, want 23 spread as 4 4 5 5 5", loads)
	}
}

func TestRoundRobinAmongEquallyLoadedAgents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann, bob, cat := e.agent(t, "ann", 10), e.agent(t, "bob", 10), e.agent(t, "cat", 10)
	in := e.inboxOf(t, "web", e.team(t, "Support", ann, bob, cat).ID)
	drain := e.work(t, 4)
	var order []int64
	for i := range 6 {
		c := e.message(t, in, fmt.Sprintf("c%d@example.com", i), "", "hello")
		drain()
		conv := e.conversation(t, c.ConversationID)
		if conv.AssigneeID == nil {
			t.Fatalf("conversation %d not assigned", i)
		}
		order = append(order, *conv.AssigneeID)
		// Each agent closes what they get at once: every agent is always equally loaded (0), so
		// only the round-robin decides.
		if _, err := e.store.SetStatus(ctx, c.ConversationID, inbox.StatusResolved, inbox.Actor{AgentID: *conv.AssigneeID}); err != nil {
			t.Fatal(err)
		}
		drain()
	}
	want := []int64{ann.ID, bob.ID, cat.ID, ann.ID, bob.ID, cat.ID}
	if !slices.Equal(order, want) {
		t.Fatalf("assignees = %v, want %v", order, want)
	}
}

func TestNewConversationIsRoutedThenAssignedInItsTeam(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann, bob := e.agent(t, "ann", 5), e.agent(t, "bob", 5)
	support := e.team(t, "Support", ann)
	e.team(t, "Billing", bob)
	in := e.inboxOf(t, "web", support.ID)
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "money", Conditions: workflow.Conditions{Keywords: []string{"invoice"}},
		SetTeam: "Billing", Actions: workflow.Actions{SetCategory: "billing"}}); err != nil {
		t.Fatal(err)
	}
	drain := e.work(t, 4)
	invoice := e.message(t, in, "jane@example.com", "Invoice", "wrong amount")
	hello := e.message(t, in, "joe@example.com", "Hi", "how do I log in")
	drain()
	if c := e.conversation(t, invoice.ConversationID); c.AssigneeID == nil || *c.AssigneeID != bob.ID || c.Category != "Billing" {
		t.Fatalf("invoice conversation = %+v, want Bob (Billing)", c)
	}
	if c := e.conversation(t, hello.ConversationID); c.AssigneeID == nil || *c.AssigneeID != ann.ID {
		t.Fatalf("hello conversation = %+v, want Ann (the inbox's team)", c)
	}
}

func TestAgentBackFromAwayPullsWaitingOldestFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann := e.agent(t, "ann", 3)
	if err := e.store.SetAvailability(ctx, ann.ID, "away"); err != nil {
		t.Fatal(err)
	}
	in := e.inboxOf(t, "web", e.team(t, "Support", ann).ID)
	drain := e.work(t, 4)
	var convs []int64
	for i := range 5 {
		convs = append(convs, e.message(t, in, fmt.Sprintf("c%d@example.com", i), "", "hello").ConversationID)
	}
	drain()
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE assignee_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d conversations assigned while nobody is available", n)
	}
	assigned := func() []int64 {
		t.Helper()
		var out []int64
		for _, id := range convs {
			if c := e.conversation(t, id); c.AssigneeID != nil {
				if *c.AssigneeID != ann.ID {
					t.Fatalf("conversation %d assigned to %d", id, *c.AssigneeID)
				}
				out = append(out, id)
			}
		}
		return out
	}

	// Back: she takes the three oldest, up to her capacity.
	if err := e.store.SetAvailability(ctx, ann.ID, "available"); err != nil {
		t.Fatal(err)
	}
	drain()
	if got := assigned(); !slices.Equal(got, convs[:3]) {
		t.Fatalf("assigned = %v, want the oldest three %v", got, convs[:3])
	}
	// Resolving one frees a place: the oldest waiting one takes it.
	if _, err := e.store.SetStatus(ctx, convs[1], inbox.StatusResolved, inbox.Actor{AgentID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	drain()
	if got := assigned(); !slices.Equal(got, []int64{convs[0], convs[1], convs[2], convs[3]}) {
		t.Fatalf("after resolving, assigned = %v, want %v plus %d", got, convs[:3], convs[3])
	}
	// Away again, she gives nothing back; unassigning one puts it back in the queue, where it
	// waits, older than the last one, for the next free place.
	if err := e.store.SetAvailability(ctx, ann.ID, "away"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Assign(ctx, convs[0], 0, inbox.Actor{AgentID: ann.ID}); err != nil {
		t.Fatal(err)
	}
	drain()
	if got := assigned(); !slices.Equal(got, []int64{convs[1], convs[2], convs[3]}) {
		t.Fatalf("after unassigning while away, assigned = %v", got)
	}
	if err := e.store.SetAvailability(ctx, ann.ID, "available"); err != nil {
		t.Fatal(err)
	}
	drain()
	if got := assigned(); !slices.Equal(got, []int64{convs[0], convs[1], convs[2], convs[3]}) {
		t.Fatalf("after coming back, assigned = %v, want the unassigned oldest one back", got)
	}
}

// TestAssignSkipsAwayAndOfflineAgents: with an away and an offline teammate idle, every new
// conversation goes to the one available agent, however loaded, up to her capacity; the rest
// wait rather than go to the others.
func TestAssignSkipsAwayAndOfflineAgents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	ann := e.agent(t, "ann", 5)
	bob := e.agent(t, "bob", 5)
	cat := e.agent(t, "cat", 2)
	if err := e.store.SetAvailability(ctx, ann.ID, inbox.AvailabilityAway); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAvailability(ctx, bob.ID, inbox.AvailabilityOffline); err != nil {
		t.Fatal(err)
	}
	in := e.inboxOf(t, "web", e.team(t, "Support", ann, bob, cat).ID)
	drain := e.work(t, 4)
	for i := range 4 {
		e.message(t, in, fmt.Sprintf("s%d@example.com", i), "", "hello")
	}
	drain()
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE assignee_id = $1`, cat.ID); n != 2 {
		t.Fatalf("%d conversations for cat, want her capacity, 2", n)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE assignee_id IN ($1, $2)`, ann.ID, bob.ID); n != 0 {
		t.Fatalf("%d conversations given to the away or offline agent", n)
	}
}
