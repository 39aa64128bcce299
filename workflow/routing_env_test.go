package workflow_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/workflow"
)

// routingEnv is one test's database with a store whose changes enqueue real River jobs, a clock
// the test moves, and (after work) a River client running Parley's workers.
type routingEnv struct {
	pool  *pgxpool.Pool
	store *inbox.Store
	rules *workflow.Rules

	mu  sync.Mutex
	now time.Time
}

// newRoutingEnv returns a routingEnv whose every new conversation is routed by its triage job.
func newRoutingEnv(t testing.TB) *routingEnv {
	return newRoutingEnvWith(t, false)
}

// newRoutingEnvWith returns a routingEnv that, when atIngest is set, routes as the server does
// (inbox.Router): a first-time sender's conversation is written routed when the rules allow it.
func newRoutingEnvWith(t testing.TB, atIngest bool) *routingEnv {
	t.Helper()
	pool := dbtest.Pool(t)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	e := &routingEnv{pool: pool, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	var router inbox.Router
	if atIngest {
		router = jobs
	}
	e.store = inbox.New(pool, inbox.Options{Jobs: jobs, Router: router, Clock: e.clock})
	e.rules = workflow.NewRules(e.pool, e.store)
	return e
}

func (e *routingEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *routingEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// agent adds an agent with a capacity. It is inserted directly: no test here signs in, and
// hashing a password costs a second under the race detector.
func (e *routingEnv) agent(t testing.TB, name string, capacity int) inbox.Agent {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := e.pool.QueryRow(ctx, `INSERT INTO agents (email, name, capacity) VALUES ($1, $2, $3) RETURNING id`,
		name+"@example.com", name, capacity).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, err := e.store.GetAgent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// team adds a team of agents.
func (e *routingEnv) team(t testing.TB, name string, members ...inbox.Agent) inbox.Team {
	t.Helper()
	emails := make([]string, 0, len(members))
	for _, m := range members {
		emails = append(emails, m.Email)
	}
	tm, err := e.store.CreateTeam(context.Background(), name, emails)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// inboxOf adds an API-kind inbox, of a team when teamID is not 0.
func (e *routingEnv) inboxOf(t testing.TB, name string, teamID int64) int64 {
	t.Helper()
	in, err := e.store.CreateInbox(context.Background(), inbox.NewInbox{Kind: "api", Name: name, TeamID: teamID})
	if err != nil {
		t.Fatal(err)
	}
	return in.ID
}

// message ingests a customer's first message as a new conversation, a minute after the last.
func (e *routingEnv) message(t testing.TB, inboxID int64, from, subject, text string) inbox.IngestResult {
	t.Helper()
	e.advance(time.Minute)
	res, err := e.store.Ingest(context.Background(), inbox.Inbound{InboxID: inboxID, Channel: inbox.ChannelAPI,
		ExternalID: "m-" + from + "-" + strconv.FormatInt(e.clock().Unix(), 10),
		From:       inbox.Identity{Kind: inbox.IdentityEmail, Address: from, Verified: true}, Subject: subject, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NewConversation {
		t.Fatalf("message from %s did not start a conversation: %+v", from, res)
	}
	return res
}

func (e *routingEnv) conversation(t testing.TB, id int64) inbox.Conversation {
	t.Helper()
	c, err := e.store.GetConversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *routingEnv) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

// work starts a River client with Parley's workers and returns a function that waits until no
// routing or assignment job, nor any of the kinds also names, is left to run.
func (e *routingEnv) work(t testing.TB, maxWorkers int) (drain func(also ...string)) {
	t.Helper()
	client, err := workflow.NewClient(workflow.Config{Pool: e.pool, Store: e.store, MaxWorkers: maxWorkers,
		FetchCooldown: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	events, cancelSub := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	ctx, cancel := context.WithCancel(context.Background())
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancelSub()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = client.Stop(stop)
		cancel()
	})
	return func(also ...string) {
		t.Helper()
		// A guard against a hung job, not a measure of speed: the work takes milliseconds.
		deadline := time.After(60 * time.Second)
		recheck := time.NewTicker(200 * time.Millisecond) // in case an event was dropped
		defer recheck.Stop()
		for e.pendingJobs(t, also) > 0 {
			select {
			case <-events:
			case <-recheck.C:
			case <-deadline:
				t.Fatalf("jobs still pending after 60 s: %v", e.jobErrors(t))
			}
		}
	}
}

const routingKinds = `kind IN ('triage', 'route', 'assign', 'assign_waiting')`

// pendingJobs counts the routing and assignment jobs, and those of the kinds also names, that
// are still to run.
func (e *routingEnv) pendingJobs(t testing.TB, also []string) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM river_job WHERE (`+routingKinds+` OR kind = ANY($1))
		AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`, append([]string{}, also...))
}

func (e *routingEnv) jobErrors(t testing.TB) []string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT kind || ' ' || state || ': ' || coalesce(errors::text, '')
		FROM river_job WHERE `+routingKinds+` AND state <> 'completed' ORDER BY id LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// loads returns each agent's active conversations.
func (e *routingEnv) loads(t testing.TB, agents ...inbox.Agent) []int {
	t.Helper()
	out := make([]int, len(agents))
	for i, a := range agents {
		out[i] = e.count(t, `SELECT count(*) FROM conversations WHERE assignee_id = $1 AND status IN ('new', 'open', 'pending')`, a.ID)
	}
	return out
}
