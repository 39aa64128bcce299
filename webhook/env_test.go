package webhook_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// env is a store whose events plan webhook deliveries (workflow's Enqueuer), the webhook
// service with a clock the test moves, the delivery worker, and a receiver.
type env struct {
	pool   *pgxpool.Pool
	store  *inbox.Store
	jobs   *workflow.Enqueuer
	hooks  *webhook.Service
	worker *jobtest.Worker[webhook.DeliverArgs]
	recv   *receiver
	key    string

	mu  sync.Mutex
	now time.Time
}

func setup(t *testing.T, allowPrivate bool) *env {
	t.Helper()
	e := setupB(t)
	e.recv = newReceiver(t)
	var err error
	e.hooks, err = webhook.New(webhook.Config{Pool: e.pool, Store: e.store, SecretKey: e.key, Jobs: e.jobs,
		AllowPrivate: allowPrivate, Timeout: 5 * time.Second, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.worker = jobtest.New[webhook.DeliverArgs](t, e.pool, []channels.Worker{channels.NewWorker(e.hooks.Worker())})
	return e
}

// setupB is the store and the service, without a worker or receiver.
func setupB(t testing.TB) *env {
	t.Helper()
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	e := &env{pool: dbtest.Pool(t), key: base64.StdEncoding.EncodeToString(raw), now: time.Now()}
	var err error
	if e.jobs, err = workflow.NewEnqueuer(e.pool); err != nil {
		t.Fatal(err)
	}
	e.store = inbox.New(e.pool, inbox.Options{Jobs: e.jobs, SecretKey: e.key})
	e.hooks, err = webhook.New(webhook.Config{Pool: e.pool, Store: e.store, SecretKey: e.key, Jobs: e.jobs, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// later moves the service's clock by d.
func (e *env) later(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// endpoint registers the receiver (at url, or the receiver's own when empty) for events.
func (e *env) endpoint(t *testing.T, url, secret string, events ...string) webhook.Endpoint {
	t.Helper()
	if url == "" {
		url = e.recv.srv.URL + "/hook"
	}
	ep, _, err := e.hooks.Create(context.Background(), inbox.CLIActor(), webhook.EndpointInput{URL: &url, Events: &events, Secret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// customer ingests a message of a new customer on the API channel.
func (e *env) customer(t *testing.T, n int, text string) inbox.IngestResult {
	t.Helper()
	res, err := e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("m-%d", n),
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: fmt.Sprintf("c%d@example.com", n)}, Name: "Customer", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// deliveries is the endpoint's log, newest first.
func (e *env) deliveries(t *testing.T, endpoint int64) []webhook.Delivery {
	t.Helper()
	ds, err := e.hooks.Deliveries(context.Background(), endpoint, 0, webhook.MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// jobOf is the id of the River job that sends delivery id, which must exist.
func (e *env) jobOf(t *testing.T, delivery int64) int64 {
	t.Helper()
	var id int64
	err := e.pool.QueryRow(context.Background(), `SELECT id FROM river_job WHERE kind = 'webhook_deliver'
		AND (args->>'delivery_id')::bigint = $1`, delivery).Scan(&id)
	if err != nil {
		t.Fatalf("no job sends delivery %d: %v", delivery, err)
	}
	return id
}

// received is one request the receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an integration's endpoint: it records what it gets and answers status with
// answer.
type receiver struct {
	srv *httptest.Server

	mu     sync.Mutex
	got    []received
	status int
	answer string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusOK, answer: `{"ok":true}`}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		status, answer := r.status, r.answer
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) answerWith(status int, body string) {
	r.mu.Lock()
	r.status, r.answer = status, body
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}
