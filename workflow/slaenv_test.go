package workflow

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/sla"
)

// slaEnv is one test's database with a store whose changes enqueue real River jobs, a clock the
// test moves, and the lifecycle workers run through rivertest: runDue works every job whose
// scheduled instant the test clock has reached, in order, as River would.
type slaEnv struct {
	t       *testing.T
	pool    *pgxpool.Pool
	store   *inbox.Store
	engine  *engine
	sla     *SLA
	surveys *Surveys
	river   *river.Client[pgx.Tx]
	run     map[string]func(ctx context.Context, tx pgx.Tx, job *rivertype.JobRow) (*rivertest.WorkResult, error)
	alerts  *fakeAlerter
	sent    *fakeSender

	mu     sync.Mutex
	now    time.Time
	events []inbox.Event // every event published, in order
	// failOn, when set, makes the jobs of any change that publishes an event of that type fail,
	// as a River insert that fails would.
	failOn string
}

// slaEpoch is the tests' starting instant: a Monday, later than the real clock, so that jobs
// River inserts for "now" (its own clock) are already due on the test clock.
var slaEpoch = time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)

func newSLAEnv(t *testing.T) *slaEnv {
	t.Helper()
	env := &slaEnv{t: t, pool: dbtest.Pool(t), now: slaEpoch, alerts: &fakeAlerter{}, sent: &fakeSender{},
		run: map[string]func(context.Context, pgx.Tx, *rivertype.JobRow) (*rivertest.WorkResult, error){}}
	jobs, err := NewEnqueuer(env.pool)
	if err != nil {
		t.Fatal(err)
	}
	env.store = inbox.New(env.pool, inbox.Options{Jobs: recordingJobs{jobs, env}, Clock: env.clock,
		Interceptor: SurveyInterceptor{}})
	env.engine, err = newEngine(Config{Pool: env.pool, Store: env.store, Alerter: env.alerts, PublicURL: "https://help.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	env.river = env.engine.jobs
	env.sla, env.surveys = NewSLA(env.pool, env.store), NewSurveys(env.store)
	e := env.engine
	addRunner(env, &slaComputeWorker{e: e})
	// A new conversation's clocks start in its triage, which routes it too (no rules here).
	addRunner(env, &triageWorker{route: newRouteWorker(env.store, nil, nil), e: e})
	addRunner(env, &slaProfileWorker{e: e, batch: 2})
	addRunner(env, &slaWarningWorker{e: e})
	addRunner(env, &slaBreachWorker{e: e})
	addRunner(env, &slaAlertWorker{e: e})
	addRunner(env, &escalateWorker{e: e})
	addRunner(env, &autoCloseWorker{e: e})
	addRunner(env, &surveyWorker{e: e})
	senders := map[inbox.Channel]channels.Sender{inbox.ChannelSMS: env.sent, inbox.ChannelEmail: env.sent, inbox.ChannelChat: env.sent}
	addRunner(env, &deliverWorker{Store: env.store, Senders: senders, Log: e.log})
	return env
}

// addRunner makes runDue work jobs of w's kind through a rivertest.Worker.
func addRunner[T river.JobArgs](env *slaEnv, w river.Worker[T]) {
	tw := rivertest.NewWorker(env.t, riverpgxv5.New(env.pool), &river.Config{}, w)
	var zero T
	env.run[zero.Kind()] = func(ctx context.Context, tx pgx.Tx, job *rivertype.JobRow) (*rivertest.WorkResult, error) {
		return tw.WorkJob(ctx, env.t, tx, job)
	}
}

func (env *slaEnv) clock() time.Time {
	env.mu.Lock()
	defer env.mu.Unlock()
	return env.now
}

// advance moves the clock and works the jobs that became due.
func (env *slaEnv) advance(d time.Duration) {
	env.t.Helper()
	env.mu.Lock()
	env.now = env.now.Add(d)
	env.mu.Unlock()
	env.runDue()
}

// runDue works, oldest instant first, every job due on the test clock, including the jobs those
// jobs insert. Jobs of kinds this package's SLA tests do not drive (routing, assignment) are
// dropped: routing is not under test here (the triage, which starts a new conversation's
// clocks, runs, with no rule set). A job that fails or snoozes fails the test.
func (env *slaEnv) runDue() {
	env.t.Helper()
	ctx := context.Background()
	for n := 0; ; n++ {
		if n > 1000 {
			env.t.Fatal("runDue: jobs keep coming")
		}
		var id int64
		var kind string
		err := env.pool.QueryRow(ctx, `SELECT id, kind FROM river_job WHERE state IN ('available', 'scheduled', 'retryable')
			AND scheduled_at <= $1 ORDER BY scheduled_at, id LIMIT 1`, env.clock()).Scan(&id, &kind)
		if errors.Is(err, pgx.ErrNoRows) {
			return
		}
		if err != nil {
			env.t.Fatal(err)
		}
		run, ok := env.run[kind]
		if !ok {
			if _, err := env.pool.Exec(ctx, `DELETE FROM river_job WHERE id = $1`, id); err != nil {
				env.t.Fatal(err)
			}
			continue
		}
		job, err := env.river.JobGet(ctx, id)
		if err != nil {
			env.t.Fatal(err)
		}
		tx, err := env.pool.Begin(ctx)
		if err != nil {
			env.t.Fatal(err)
		}
		res, err := run(ctx, tx, job)
		if err != nil {
			_ = tx.Rollback(ctx)
			env.t.Fatalf("job %s %s: %v", kind, job.EncodedArgs, err)
		}
		if err := tx.Commit(ctx); err != nil {
			env.t.Fatal(err)
		}
		if res.EventKind != river.EventKindJobCompleted && res.EventKind != river.EventKindJobCancelled {
			env.t.Fatalf("job %s %s: %s, want completed", kind, job.EncodedArgs, res.EventKind)
		}
	}
}

// recordingJobs is the store's Jobs: the real Enqueuer, noting every event published on the way.
type recordingJobs struct {
	*Enqueuer
	env *slaEnv
}

func (r recordingJobs) Enqueue(ctx context.Context, tx pgx.Tx, events []inbox.Event) error {
	r.env.mu.Lock()
	r.env.events = append(r.env.events, events...)
	failOn := r.env.failOn
	r.env.mu.Unlock()
	for _, e := range events {
		if failOn != "" && e.Type == failOn {
			return errors.New("enqueue refused by the test")
		}
	}
	return r.Enqueuer.Enqueue(ctx, tx, events)
}

// eventsOf returns the published events of a type.
func (env *slaEnv) eventsOf(typ string) []inbox.Event {
	env.mu.Lock()
	defer env.mu.Unlock()
	var out []inbox.Event
	for _, e := range env.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// fakeAlerter records alerts.
type fakeAlerter struct {
	mu     sync.Mutex
	alerts []channels.Alert
	teams  []int64
}

func (f *fakeAlerter) Alert(ctx context.Context, teamID int64, a channels.Alert) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.alerts, f.teams = append(f.alerts, a), append(f.teams, teamID)
	return nil
}

func (f *fakeAlerter) kinds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.alerts {
		out = append(out, a.Kind)
	}
	return out
}

// fakeSender records what would go out, on any channel.
type fakeSender struct {
	mu  sync.Mutex
	out []channels.Outgoing
}

func (f *fakeSender) Send(ctx context.Context, o channels.Outgoing) (channels.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.out = append(f.out, o)
	return channels.Receipt{ExternalID: "ext-" + time.Now().Format("150405.000000000"), Status: inbox.DeliverySent}, nil
}

func (f *fakeSender) sent() []channels.Outgoing {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]channels.Outgoing(nil), f.out...)
}

// Helpers for the tests' setup.

func (env *slaEnv) agent(name string, role inbox.Role) inbox.Agent {
	env.t.Helper()
	a, err := env.store.CreateAgent(context.Background(), inbox.NewAgent{Email: name + "@example.com", Name: name,
		Password: "correct-horse-battery", Role: role})
	if err != nil {
		env.t.Fatal(err)
	}
	return a
}

func (env *slaEnv) team(name string, members ...inbox.Agent) inbox.Team {
	env.t.Helper()
	var emails []string
	for _, m := range members {
		emails = append(emails, m.Email)
	}
	tm, err := env.store.CreateTeam(context.Background(), name, emails)
	if err != nil {
		env.t.Fatal(err)
	}
	return tm
}

func (env *slaEnv) policy(n NewPolicy) Policy {
	env.t.Helper()
	p, err := env.sla.CreatePolicy(context.Background(), n)
	if err != nil {
		env.t.Fatal(err)
	}
	return p
}

// sms ingests a customer text message.
func (env *slaEnv) sms(from, id, text string) inbox.IngestResult {
	env.t.Helper()
	res, err := env.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: id,
		From: inbox.Identity{Kind: inbox.IdentityPhone, Address: from, Verified: true}, Text: text})
	if err != nil {
		env.t.Fatal(err)
	}
	return res
}

// do runs a store change in one transaction.
func (env *slaEnv) do(fn func(ctx context.Context, tx pgx.Tx) error) {
	env.t.Helper()
	ctx := context.Background()
	if err := env.store.InTx(ctx, func(tx pgx.Tx) error { return fn(ctx, tx) }); err != nil {
		env.t.Fatal(err)
	}
}

func (env *slaEnv) conversation(id int64) inbox.Conversation {
	env.t.Helper()
	c, err := env.store.GetConversation(context.Background(), id)
	if err != nil {
		env.t.Fatal(err)
	}
	return c
}

// clock reads a stored clock.
func (env *slaEnv) clockOf(convID int64, t sla.Target) clockRow {
	env.t.Helper()
	r := clockRow{target: t}
	err := env.pool.QueryRow(context.Background(), `SELECT policy_id, state, generation, started_at, due_at, warn_at,
		met_at, warned_at, breached_at, level FROM sla_clocks WHERE conversation_id = $1 AND target = $2`, convID, t).
		Scan(&r.policyID, &r.state, &r.generation, &r.start, &r.due, &r.warn, &r.met, &r.warned, &r.breached, &r.level)
	if err != nil {
		env.t.Fatalf("clock %d %s: %v", convID, t, err)
	}
	return r
}

func (env *slaEnv) count(sql string, args ...any) int {
	env.t.Helper()
	var n int
	if err := env.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		env.t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

func at(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format("Jan 2 15:04:05")
}
