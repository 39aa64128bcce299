package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

const secret = "a-receivers-shared-secret"

// verify checks a request's X-Parley-Signature the way a receiver would, from its own copy of
// the secret, and returns the signed instant.
func verify(t *testing.T, r received) time.Time {
	t.Helper()
	ts, mac, ok := strings.Cut(r.header.Get(webhook.SignatureHeader), ",v1=")
	ts, cut := strings.CutPrefix(ts, "t=")
	if !ok || !cut {
		t.Fatalf("signature header %q", r.header.Get(webhook.SignatureHeader))
	}
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "." + string(r.body)))
	if want := hex.EncodeToString(h.Sum(nil)); !hmac.Equal([]byte(mac), []byte(want)) {
		t.Fatalf("signature v1=%s, the body signed with the secret gives %s", mac, want)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(sec, 0)
}

// A customer's message reaches a subscribed endpoint as a signed JSON POST with the message's
// text, and the log records the answer.
func TestDeliverySignedAndLogged(t *testing.T) {
	e := setup(t, true)
	ep := e.endpoint(t, "", secret, inbox.EventMessageCreated)
	other := e.endpoint(t, "", secret, inbox.EventConversationAssigned) // subscribed to something else
	res := e.customer(t, 1, "my parcel is late")

	ds := e.deliveries(t, ep.ID)
	if len(ds) != 1 || ds[0].Status != webhook.StatusPending || ds[0].EventType != inbox.EventMessageCreated {
		t.Fatalf("deliveries planned with the message: %+v", ds)
	}
	if got := e.deliveries(t, other.ID); len(got) != 0 {
		t.Fatalf("an endpoint not subscribed to message.created got %d deliveries", len(got))
	}
	e.recv.answerWith(http.StatusAccepted, "thanks")
	if err := e.worker.WorkJob(t, e.jobOf(t, ds[0].ID), 1); err != nil {
		t.Fatalf("delivery: %v", err)
	}
	got := e.recv.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests", len(got))
	}
	if signed := verify(t, got[0]); !signed.Equal(e.clock().Truncate(time.Second)) {
		t.Fatalf("signed at %v, the clock says %v", signed, e.clock())
	}
	if got[0].header.Get("Content-Type") != "application/json" || got[0].header.Get("X-Parley-Event") != inbox.EventMessageCreated {
		t.Fatalf("headers %v", got[0].header)
	}
	var p webhook.Payload
	if err := json.Unmarshal(got[0].body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != inbox.EventMessageCreated || p.Message == nil || p.Message.Text != "my parcel is late" ||
		p.Event.ConversationID != res.ConversationID || p.ID != strconv.FormatInt(ds[0].ID, 10) {
		t.Fatalf("payload %s", got[0].body)
	}
	d, err := e.hooks.Delivery(context.Background(), ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != webhook.StatusSucceeded || d.ResponseCode == nil || *d.ResponseCode != http.StatusAccepted ||
		d.ResponseExcerpt != "thanks" || d.DurationMS == nil || d.Attempts != 1 || d.AttemptedAt == nil {
		t.Fatalf("log after success: %+v", d)
	}
}

// Deliveries are planned in the change's transaction: a change rolled back leaves none.
func TestDeliveryCommitsWithItsEvent(t *testing.T) {
	e := setup(t, true)
	ep := e.endpoint(t, "", secret, inbox.EventConversationStatus)
	ctx := context.Background()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Publish(ctx, tx, inbox.Event{Type: inbox.EventConversationStatus, ConversationID: 1, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if ds := e.deliveries(t, ep.ID); len(ds) != 0 {
		t.Fatalf("a rolled-back event left %d deliveries", len(ds))
	}
	err = pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		return e.store.Publish(ctx, tx, inbox.Event{Type: inbox.EventConversationStatus, ConversationID: 1, At: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := e.deliveries(t, ep.ID)
	if len(ds) != 1 {
		t.Fatalf("a committed event left %d deliveries", len(ds))
	}
	e.jobOf(t, ds[0].ID)
}

// The waits grow from 30 s, doubling, to at most 3 hours; about 16 attempts fill the 24 hours.
func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute,
		9: 128 * time.Minute, 10: 3 * time.Hour, 29: 3 * time.Hour} {
		if got := webhook.Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
	var total time.Duration
	n := 0
	for total < webhook.RetryWindow {
		n++
		total += webhook.Backoff(n)
	}
	if n < 10 || n > 29 {
		t.Fatalf("%d attempts fill the retry window; the job allows 30", n)
	}
}

// A failing endpoint is retried, and once the 24 hours pass the delivery gives up and the
// endpoint is disabled: later events are not planned for it. Enabled again, a redelivery sends
// the same body.
func TestFailingEndpointRetriesThenIsDisabled(t *testing.T) {
	e := setup(t, true)
	ctx := context.Background()
	ep := e.endpoint(t, "", secret, inbox.EventMessageCreated)
	e.customer(t, 1, "hello")
	d := e.deliveries(t, ep.ID)[0]
	job := e.jobOf(t, d.ID)
	e.recv.answerWith(http.StatusInternalServerError, strings.Repeat("é", 600))

	err := e.worker.WorkJob(t, job, 1)
	var cancel *river.JobCancelError
	if err == nil || errors.As(err, &cancel) {
		t.Fatalf("first failure: %v, want an error River retries", err)
	}
	got, _ := e.hooks.Delivery(ctx, d.ID)
	if got.Status != webhook.StatusRetrying || *got.ResponseCode != 500 || len(got.ResponseExcerpt) > 512 ||
		!strings.HasPrefix(got.ResponseExcerpt, "éé") || !strings.Contains(got.Error, "500") {
		t.Fatalf("log after a 500: %+v", got)
	}

	e.later(webhook.RetryWindow + time.Minute)
	if err := e.worker.WorkJob(t, job, 12); !errors.As(err, &cancel) {
		t.Fatalf("after 24 hours: %v, want the job cancelled", err)
	}
	got, _ = e.hooks.Delivery(ctx, d.ID)
	if got.Status != webhook.StatusFailed || got.Attempts != 2 {
		t.Fatalf("log after giving up: %+v", got)
	}
	ep, _ = e.hooks.Endpoint(ctx, ep.ID)
	if ep.Enabled || ep.DisabledAt == nil || !strings.Contains(ep.DisabledReason, "failed for good") {
		t.Fatalf("endpoint after a delivery gave up: %+v", ep)
	}
	e.customer(t, 2, "again")
	if n := len(e.deliveries(t, ep.ID)); n != 1 {
		t.Fatalf("a disabled endpoint got new deliveries: %d in its log", n)
	}
	if _, err := e.hooks.Redeliver(ctx, inbox.CLIActor(), d.ID); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("redeliver to a disabled endpoint: %v, want ErrConflict", err)
	}

	on := true
	if _, err := e.hooks.Update(ctx, inbox.CLIActor(), ep.ID, webhook.EndpointInput{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	again, err := e.hooks.Redeliver(ctx, inbox.CLIActor(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.recv.answerWith(http.StatusOK, "ok")
	if err := e.worker.WorkJob(t, e.jobOf(t, again.ID), 1); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	reqs := e.recv.requests()
	if len(reqs) != 3 || string(reqs[2].body) != string(reqs[0].body) {
		t.Fatalf("redelivery sent %q, the first attempt %q", reqs[len(reqs)-1].body, reqs[0].body)
	}
	verify(t, reqs[2])
	if got, _ := e.hooks.Delivery(ctx, again.ID); got.Status != webhook.StatusSucceeded || got.RedeliveryOf == nil || *got.RedeliveryOf != d.ID {
		t.Fatalf("redelivery's log: %+v", got)
	}
}

// Without AllowPrivate, a loopback address is refused when dialling, also behind a host name
// that resolves to it: nothing reaches the receiver, the delivery fails and the endpoint is
// disabled.
func TestPrivateAddressRefused(t *testing.T) {
	e := setup(t, false)
	ctx := context.Background()
	byName := strings.Replace(e.recv.srv.URL, "127.0.0.1", "localhost", 1) + "/hook"
	for i, url := range []string{e.recv.srv.URL + "/hook", byName} {
		ep := e.endpoint(t, url, secret, inbox.EventMessageCreated)
		e.customer(t, 10+i, "hello")
		d := e.deliveries(t, ep.ID)[0]
		var cancel *river.JobCancelError
		if err := e.worker.WorkJob(t, e.jobOf(t, d.ID), 1); !errors.As(err, &cancel) {
			t.Fatalf("%s: %v, want the job cancelled", url, err)
		}
		got, _ := e.hooks.Delivery(ctx, d.ID)
		if got.Status != webhook.StatusFailed || !strings.Contains(got.Error, "not a public address") {
			t.Fatalf("%s: log %+v", url, got)
		}
		if ep, _ = e.hooks.Endpoint(ctx, ep.ID); ep.Enabled {
			t.Fatalf("%s: endpoint still enabled", url)
		}
	}
	if n := len(e.recv.requests()); n != 0 {
		t.Fatalf("the loopback receiver got %d requests", n)
	}
}

// A reply on the API channel is sent when its message.created delivery succeeds; with no
// endpoint taking message.created the deliver job fails it instead of calling it sent.
func TestAPIReplySentByItsWebhook(t *testing.T) {
	e := setup(t, true)
	ctx := context.Background()
	e.endpoint(t, "", secret, inbox.EventMessageCreated)
	res := e.customer(t, 1, "where is my order?")
	m, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "it ships today"})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := e.pool.QueryRow(ctx, `SELECT id FROM webhook_deliveries WHERE message_id = $1`, m.ID).Scan(&id); err != nil {
		t.Fatalf("no delivery carries the reply: %v", err)
	}
	if err := e.worker.WorkJob(t, e.jobOf(t, id), 1); err != nil {
		t.Fatal(err)
	}
	reqs := e.recv.requests()
	var p webhook.Payload
	if err := json.Unmarshal(reqs[len(reqs)-1].body, &p); err != nil || p.Message == nil || p.Message.Text != "it ships today" {
		t.Fatalf("the integration got %s", reqs[len(reqs)-1].body)
	}
	if got, _ := e.store.GetMessage(ctx, m.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Fatalf("reply %q after its webhook succeeded", got.DeliveryStatus)
	}

	// No endpoint takes message.created any more: the next reply reaches nobody, and says so.
	off := false
	for _, ep := range must(e.hooks.Endpoints(ctx)) {
		if _, err := e.hooks.Update(ctx, inbox.CLIActor(), ep.ID, webhook.EndpointInput{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
	}
	lost, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "anyone there?"})
	if err != nil {
		t.Fatal(err)
	}
	workers, err := workflow.Workers(workflow.Config{Pool: e.pool, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	deliver := jobtest.New[workflow.DeliverArgs](t, e.pool, workers)
	var cancel *river.JobCancelError
	if err := deliver.Work(t, workflow.DeliverArgs{MessageID: lost.ID}, nil); !errors.As(err, &cancel) {
		t.Fatalf("deliver with no endpoint: %v, want the job cancelled", err)
	}
	if got, _ := e.store.GetMessage(ctx, lost.ID); got.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(got.DeliveryError, "no webhook endpoint") {
		t.Fatalf("reply with no endpoint: %q %q", got.DeliveryStatus, got.DeliveryError)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
