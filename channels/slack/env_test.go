package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

const (
	botToken      = "xoxb-test-token"
	signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	customerTeam  = "T0CUSTOMER"
)

// env is one test's database, store, fake Slack, connected Slack inbox and events handler.
//
// The tests use workflow for end-to-end setup only: its Enqueuer is the store's job inserter
// and its River workers deliver and fetch as a server's would. The channel's own code imports
// no workflow (internal/arch checks it).
type env struct {
	pool    *pgxpool.Pool
	store   *inbox.Store
	fake    *slacktest.Server
	inbox   inbox.Inbox
	handler *slack.Handler
	jobs    *workflow.Enqueuer
	now     time.Time // the store's clock
}

func setup(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pool: pool, jobs: jobs, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	e.store = inbox.New(pool, inbox.Options{Jobs: jobs, Clock: func() time.Time { return e.now }, SecretKey: "test-key"})
	e.fake = slacktest.New(botToken)
	t.Cleanup(e.fake.Close)
	ni, err := slack.Connect(ctx, e.store, slack.Connection{Name: "Acme Slack", BotToken: botToken,
		SigningSecret: signingSecret, AlertChannel: "C0ALERTS", APIURL: e.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if e.inbox, err = e.store.CreateInbox(ctx, ni); err != nil {
		t.Fatal(err)
	}
	// The handler checks timestamps on the real clock, as slack-go does: requests are signed now.
	e.handler = slack.NewHandler(slack.HandlerConfig{Store: e.store, Jobs: jobs})
	return e
}

// post delivers a signed Events API request, as Slack would, and returns the answer.
func (e *env) post(t testing.TB, body []byte, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	r := slacktest.Request(slack.EventsPath, signingSecret, time.Now(), body)
	for _, f := range edit {
		f(r)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// mustPost posts body and fails the test unless it is answered 200.
func (e *env) mustPost(t testing.TB, body []byte) {
	t.Helper()
	if w := e.post(t, body); w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

func (e *env) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

// message returns the stored message with a Slack external id.
func (e *env) message(t testing.TB, externalID string) inbox.Message {
	t.Helper()
	var id int64
	err := e.pool.QueryRow(context.Background(), `SELECT id FROM messages WHERE channel = 'slack' AND external_id = $1`,
		externalID).Scan(&id)
	if err != nil {
		t.Fatalf("message %s: %v", externalID, err)
	}
	m, err := e.store.GetMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// job returns the one inserted job of args' kind whose args match where (a JSON containment
// such as {"message_id": 7}), ready for a worker's Work as its first attempt.
func job[T river.JobArgs](t testing.TB, e *env, args T, where map[string]any) *river.Job[T] {
	t.Helper()
	filter, err := json.Marshal(where)
	if err != nil {
		t.Fatal(err)
	}
	var row rivertype.JobRow
	var encoded []byte
	err = e.pool.QueryRow(context.Background(), `SELECT id, max_attempts, args FROM river_job
		WHERE kind = $1 AND args @> $2::jsonb`, args.Kind(), string(filter)).Scan(&row.ID, &row.MaxAttempts, &encoded)
	if err != nil {
		t.Fatalf("%s job %s: %v", args.Kind(), filter, err)
	}
	var out T
	if err := json.Unmarshal(encoded, &out); err != nil {
		t.Fatal(err)
	}
	row.Attempt, row.Kind, row.EncodedArgs = 1, args.Kind(), encoded
	return &river.Job[T]{JobRow: &row, Args: out}
}

// jobConfig is the River client's configuration of a server with the Slack channel, opened as
// `parley serve` opens it, on the fake Slack. (The test uses workflow's deliver and fetch
// workers end to end; the channel's own code imports no workflow.)
func (e *env) jobConfig(t testing.TB) workflow.Config {
	t.Helper()
	parts, err := slack.NewChannel().Open(context.Background(), channels.Env{Store: e.store, Pool: e.pool, Jobs: e.jobs,
		Surveys: workflow.NewSurveys(e.store), PublicURL: "https://parley.example", SlackAPIURL: e.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := workflow.Config{Pool: e.pool, Store: e.store}
	cfg.AddChannel(inbox.ChannelSlack, parts)
	return cfg
}

// workers are the River workers of a server with the Slack channel.
func (e *env) workers(t testing.TB) []channels.Worker {
	t.Helper()
	ws, err := workflow.Workers(e.jobConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// deliver works the deliver job of an outbound message through River (rivertest) with the
// Slack sender, and returns the worker's verdict.
func (e *env) deliver(t testing.TB, messageID int64) error {
	t.Helper()
	w := jobtest.New[workflow.DeliverArgs](t, e.pool, e.workers(t))
	return w.WorkJob(t, jobtest.JobID(t, e.pool, "deliver", map[string]any{"message_id": messageID}), 1)
}

// customer is a message by a member of the customer's organization in a Slack Connect channel.
func customer(user, text, ts string) slacktest.Message {
	return slacktest.Message{Channel: "C0SHARED", User: user, UserTeam: customerTeam, Text: text, TS: ts}
}
