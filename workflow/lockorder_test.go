package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// TestRapidCustomersBesideJobsAndAgents is the race of issue 14: new customers each write
// many messages in quick succession while the route, assign and SLA jobs their first
// messages cause run on the same conversations and contacts, and agents act on them at once
// (assign, status, priority, tags, merges of two customers). Every message must be stored
// exactly once and acknowledged, no agent action may fail with a deadlock or a serialization
// failure (an HTTP 500), and no job may record one. It failed with deadlocks (ingests lost,
// agents' actions and route, assign and survey jobs aborted) before the lock order.
func TestRapidCustomersBesideJobsAndAgents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newRoutingEnv(t)
	agents := []inbox.Agent{e.agent(t, "ana", 100), e.agent(t, "ben", 100), e.agent(t, "cy", 100)}
	support := e.team(t, "Support", agents[0])
	e.team(t, "Billing", agents...)
	in := e.inboxOf(t, "web", support.ID)
	if _, err := e.rules.Add(ctx, workflow.NewRule{Name: "help", Conditions: workflow.Conditions{Keywords: []string{"help"}},
		SetTeam: "Billing", Actions: workflow.Actions{SetPriority: inbox.PriorityHigh, SetCategory: "question",
			SetTags: []string{"help", "new"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := workflow.NewSLA(e.pool, e.store).CreatePolicy(ctx, workflow.NewPolicy{Name: "all",
		FirstResponse: time.Hour, NextResponse: time.Hour, Resolution: 8 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	drain := e.work(t, 8)
	// The middle round ingests through a store with two committers, whose batches run at once.
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	twoCommitters := inbox.New(e.pool, inbox.Options{Jobs: jobs, Clock: e.clock, Committers: 2})

	const rounds, customers, messages = 3, 6, 10
	var failures failureLog
	for round := range rounds {
		ingester := e.store
		if round == 1 {
			ingester = twoCommitters
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		var agentsDone sync.WaitGroup
		for i := range 2 {
			agentsDone.Go(func() { e.actUntil(t, stop, agents, round*2+i, &failures) })
		}
		for c := range customers {
			wg.Go(func() {
				from := fmt.Sprintf("r%d-c%d@example.com", round, c)
				for m := range messages {
					_, err := ingester.Ingest(ctx, inbox.Inbound{InboxID: in, Channel: inbox.ChannelAPI,
						ExternalID: fmt.Sprintf("%s-%d", from, m),
						From:       inbox.Identity{Kind: inbox.IdentityEmail, Address: from, Verified: true},
						Subject:    "help", Text: fmt.Sprintf("help, message %d", m)})
					if err != nil {
						failures.add("ingest %s #%d (deadlock or serialization: %t): %v", from, m, isLockFailure(err), err)
					}
				}
			})
		}
		wg.Wait()
		close(stop)
		agentsDone.Wait()
	}
	drain()
	e.drainAll(t)

	for _, f := range failures.all() {
		t.Error(f)
	}
	want := rounds * customers * messages
	if n := e.count(t, `SELECT count(*) FROM messages WHERE direction = 'inbound' AND external_id LIKE 'r%'`); n != want {
		t.Errorf("%d inbound messages stored, want %d", n, want)
	}
	if n := e.count(t, `SELECT count(DISTINCT external_id) FROM messages WHERE direction = 'inbound'`); n != want {
		t.Errorf("%d distinct messages stored, want %d", n, want)
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE errors::text ~ '40P01|40001|deadlock|could not serialize'`); n > 0 {
		t.Errorf("%d jobs failed with a deadlock or serialization failure: %v", n, e.lockErrors(t))
	}
}

// failureLog collects what went wrong in the test's goroutines.
type failureLog struct {
	mu   sync.Mutex
	list []string
}

func (f *failureLog) add(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.list) < 20 {
		f.list = append(f.list, fmt.Sprintf(format, args...))
	}
}

func (f *failureLog) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list
}

// actUntil acts on the newest conversations as an agent would, one action after another,
// until stop closes: assign, set the status, priority and tags, and merge two customers.
// Refusals a caller can fix (a closed conversation, a contact merged already) are expected;
// any other error, above all a deadlock or a serialization failure, is a failure.
func (e *routingEnv) actUntil(t *testing.T, stop <-chan struct{}, agents []inbox.Agent, seed int, failures *failureLog) {
	ctx := context.Background()
	statuses := []inbox.Status{inbox.StatusOpen, inbox.StatusPending, inbox.StatusOpen, inbox.StatusResolved}
	priorities := []inbox.Priority{inbox.PriorityLow, inbox.PriorityUrgent, inbox.PriorityNormal}
	for n := seed; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		rows, err := e.pool.Query(ctx, `SELECT id, contact_id FROM conversations ORDER BY id DESC LIMIT 8`)
		if err != nil {
			failures.add("list: %v", err)
			return
		}
		type pair struct{ ID, Contact int64 }
		convs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[pair])
		if err != nil {
			failures.add("list: %v", err)
			return
		}
		if len(convs) == 0 {
			time.Sleep(time.Millisecond)
			continue
		}
		c := convs[n%len(convs)]
		by := inbox.Actor{AgentID: agents[n%len(agents)].ID}
		var what string
		switch n % 6 {
		case 0:
			what = "assign"
			_, err = e.store.Assign(ctx, c.ID, agents[(n/6)%len(agents)].ID, by)
		case 1:
			what = "status"
			_, err = e.store.SetStatus(ctx, c.ID, statuses[(n/6)%len(statuses)], by)
		case 2:
			what = "priority"
			_, err = e.store.SetPriority(ctx, c.ID, priorities[(n/6)%len(priorities)], by)
		case 3:
			what = "tags"
			_, err = e.store.SetTags(ctx, c.ID, []string{fmt.Sprintf("t%d", n%5)}, []string{"new"}, by)
		case 4:
			what = "merge"
			other := convs[(n+1)%len(convs)]
			if n%24 == 4 && other.Contact != c.Contact {
				_, err = e.store.Merge(ctx, c.Contact, other.Contact, by)
			}
		case 5:
			what = "unassign"
			_, err = e.store.Assign(ctx, c.ID, 0, by)
		}
		if err != nil && !errors.Is(err, inbox.ErrConflict) && !errors.Is(err, inbox.ErrNotFound) {
			failures.add("agent %s on conversation %d (deadlock or serialization: %t): %v", what, c.ID, isLockFailure(err), err)
		}
	}
}

// drainAll waits until no job of any kind is left to run now (the SLA deadlines lie hours
// ahead and stay scheduled).
func (e *routingEnv) drainAll(t *testing.T) {
	t.Helper()
	deadline := time.After(60 * time.Second) // a guard against a hung job, not a measure of speed
	for e.count(t, `SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')
		OR state = 'scheduled' AND scheduled_at < now() + interval '1 minute'`) > 0 {
		select {
		case <-deadline:
			t.Fatalf("jobs still pending after 60 s: %v", e.lockErrors(t))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// lockErrors returns up to three job errors of a deadlock or serialization failure.
func (e *routingEnv) lockErrors(t *testing.T) []string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT kind || ': ' || (errors[array_length(errors, 1)]->>'error')
		FROM river_job WHERE errors IS NOT NULL ORDER BY id LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// isLockFailure reports whether err is a deadlock or a serialization failure.
func isLockFailure(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001") || strings.Contains(fmt.Sprint(err), "deadlock")
}
