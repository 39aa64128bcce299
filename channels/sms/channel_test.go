package sms_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

// The numbers of the channel tests: ours (the inbox's) and the customer's.
const (
	ourNumber = "+14155550100"
	customer  = "+447700900123"
)

// env is one channel test: a database of its own, a store that enqueues real
// River jobs, a fake Twilio and the Twilio wired to both, with one SMS inbox.
//
// The tests use workflow for end-to-end setup only: its Enqueuer is the store's job inserter
// and its River workers deliver and fetch as a server's would. The channel's own code imports
// no workflow (internal/arch checks it).
type env struct {
	pool   *pgxpool.Pool
	store  *inbox.Store
	twilio *smstest.Server
	ch     *sms.Twilio
	inbox  inbox.Inbox
	// beforeSend, when set, runs before each request reaches the fake
	// Twilio, with the request's 1-based number.
	beforeSend func(n int)
	// loseAnswer, when set, is asked after each answer of the fake Twilio
	// whether to drop it: the sender then sees a network failure although
	// Twilio has done what it asked.
	loseAnswer func(r *http.Request) bool
	sends      atomic.Int32
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{pool: dbtest.Pool(t)}
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e.store = inbox.New(e.pool, inbox.Options{Jobs: jobs, Clock: func() time.Time { return now }, SecretKey: "test-key"})
	e.twilio = smstest.NewServer(accountSID, authToken)
	t.Cleanup(e.twilio.Close)
	e.ch, err = sms.NewTwilio(sms.TwilioConfig{Store: e.store, PublicURL: publicURL, APIURL: e.twilio.URL, Jobs: jobs,
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			n := e.sends.Add(1)
			if e.beforeSend != nil {
				e.beforeSend(int(n))
			}
			resp, err := http.DefaultTransport.RoundTrip(r)
			if err == nil && e.loseAnswer != nil && e.loseAnswer(r) {
				_ = resp.Body.Close()
				return nil, errors.New("connection reset: the answer was lost")
			}
			return resp, err
		})})
	if err != nil {
		t.Fatal(err)
	}
	e.inbox = e.addInbox(t, "Support SMS", sms.Settings{AccountSID: accountSID, From: ourNumber})
	return e
}

func (e *env) addInbox(t testing.TB, name string, s sms.Settings) inbox.Inbox {
	t.Helper()
	ctx := context.Background()
	existing, err := e.store.Inboxes(ctx, inbox.ChannelSMS)
	if err != nil {
		t.Fatal(err)
	}
	n, err := sms.NewInbox(name, s, authToken, 0, existing)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.store.CreateInbox(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// post sends form to the handler at path, signed as Twilio signs it.
func (e *env) post(h http.Handler, path string, form url.Values) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, smstest.NewSignedRequest(authToken, publicURL+path, form))
	return w
}

// text posts an SMS from the customer to our number and requires it taken.
func (e *env) text(t testing.TB, body string) url.Values {
	t.Helper()
	form := smstest.InboundForm(smstest.SMS{AccountSID: accountSID, From: customer, To: ourNumber, Body: body})
	e.requireTaken(t, e.post(e.ch.InboundHandler(), sms.InboundPath, form))
	return form
}

// status posts a status callback and requires it taken.
func (e *env) status(t testing.TB, m smstest.Message, status string, code int) {
	t.Helper()
	e.requireTaken(t, e.post(e.ch.StatusHandler(), sms.StatusPath, smstest.StatusForm(m.Callback(status, code))))
}

func (e *env) requireTaken(t testing.TB, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml; charset=utf-8" || w.Body.String() != sms.EmptyTwiML {
		t.Fatalf("answer %d %q %s, want 200 with empty TwiML", w.Code, w.Header().Get("Content-Type"), w.Body)
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

// conversation returns the customer's conversation (their only one).
func (e *env) conversation(t testing.TB) inbox.Conversation {
	t.Helper()
	ctx := context.Background()
	c, err := e.store.ContactByIdentity(ctx, inbox.IdentityPhone, customer)
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.store.ListConversations(ctx, inbox.ConversationQuery{ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Conversations) != 1 {
		t.Fatalf("customer has %d conversations, want 1", len(page.Conversations))
	}
	return page.Conversations[0]
}

// reply stores an agent's reply in the customer's conversation.
func (e *env) reply(t testing.TB, text string) inbox.Message {
	t.Helper()
	m, err := e.store.Send(context.Background(), inbox.Reply{ConversationID: e.conversation(t).ID, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// workers are the River workers of a server with this SMS channel.
func (e *env) workers(t testing.TB) []channels.Worker {
	t.Helper()
	cfg := workflow.Config{Pool: e.pool, Store: e.store}
	cfg.AddChannel(inbox.ChannelSMS, channels.Parts{Sender: e.ch, Fetcher: e.ch})
	ws, err := workflow.Workers(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// deliver works the delivery job of message id once, through River (rivertest), as its
// attempt number attempt of 8, with the SMS channel as the sender, and returns the worker's
// verdict.
func (e *env) deliver(t testing.TB, id int64, attempt int) error {
	t.Helper()
	w := jobtest.New[workflow.DeliverArgs](t, e.pool, e.workers(t))
	return w.WorkJob(t, jobtest.JobID(t, e.pool, "deliver", map[string]any{"message_id": id}), attempt)
}

// requireCancelled checks that a delivery ended for good (River cancels the
// job) rather than asking to be retried.
func requireCancelled(t *testing.T, err error) {
	t.Helper()
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("deliver returned %v, want a cancelled job", err)
	}
}

func (e *env) message(t testing.TB, id int64) inbox.Message {
	t.Helper()
	m, err := e.store.GetMessage(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
