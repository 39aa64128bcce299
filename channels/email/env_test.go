package email_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

const secretKey = "test-secret-key"

// env is one test's database, mail servers and email inbox, with a clock the test moves.
//
// The tests use workflow for end-to-end setup only: its Enqueuer is the store's job inserter
// and its River workers deliver and fetch as a server's would. The channel's own code imports
// no workflow (internal/arch checks it).
type env struct {
	t       testing.TB
	pool    *pgxpool.Pool
	store   *inbox.Store
	imap    *emailtest.IMAPServer
	smtp    *emailtest.SMTPSink
	inbox   inbox.Inbox
	fetcher *email.Fetcher
	sender  *email.Sender

	mu  sync.Mutex
	now time.Time
}

// envOptions vary the servers. The IMAP server offers no IDLE (so Poll returns after its
// sync) unless idle is set.
type envOptions struct {
	idle    bool
	imap    emailtest.IMAPOptions
	smtp    emailtest.SMTPOptions
	fetcher email.FetcherConfig
	sender  email.SenderConfig
}

func setup(t testing.TB, o envOptions) *env {
	t.Helper()
	pool := dbtest.Pool(t)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, pool: pool, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	e.store = inbox.New(pool, inbox.Options{Jobs: jobs, Clock: e.clock, SecretKey: secretKey})
	o.imap.NoIdle = !o.idle
	e.imap = emailtest.NewIMAPServer(t, o.imap)
	e.smtp = emailtest.NewSMTPSink(t, o.smtp)
	existing, err := e.store.Inboxes(context.Background(), inbox.ChannelEmail)
	if err != nil {
		t.Fatal(err)
	}
	ni, err := email.NewInbox("Acme Support", "support@example.com", e.imap.URL(), e.smtp.URL(), 0, existing)
	if err != nil {
		t.Fatal(err)
	}
	if e.inbox, err = e.store.CreateInbox(context.Background(), ni); err != nil {
		t.Fatal(err)
	}
	fc := o.fetcher
	fc.Store, fc.SecretKey = e.store, secretKey
	e.fetcher = email.NewFetcher(fc)
	sc := o.sender
	sc.Store, sc.SecretKey = e.store, secretKey
	e.sender = email.NewSender(sc)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// poll runs one Poll and fails the test on an error.
func (e *env) poll() time.Duration {
	e.t.Helper()
	next, err := e.fetcher.Poll(context.Background(), e.inbox.ID)
	if err != nil {
		e.t.Fatalf("poll: %v", err)
	}
	return next
}

// count runs a COUNT query.
func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("count %q: %v", sql, err)
	}
	return n
}

// inboundByMessageID returns the stored message whose email Message-ID is id.
func (e *env) messageByEmailID(id string) inbox.Message {
	e.t.Helper()
	var mid int64
	if err := e.pool.QueryRow(context.Background(), `SELECT id FROM messages WHERE email_message_id = $1`, id).Scan(&mid); err != nil {
		e.t.Fatalf("message %s: %v", id, err)
	}
	m, err := e.store.GetMessage(context.Background(), mid)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// reply stores an agent's reply in conversation convID and returns it.
func (e *env) reply(convID int64, text string) inbox.Message {
	e.t.Helper()
	a, err := e.store.AgentByEmail(context.Background(), "agent@acme.example")
	if err != nil {
		a, err = e.store.CreateAgent(context.Background(), inbox.NewAgent{Email: "agent@acme.example", Name: "Ada Agent", Password: "correct-horse-battery"})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	m, err := e.store.Send(context.Background(), inbox.Reply{ConversationID: convID, Author: inbox.Actor{AgentID: a.ID}, Text: text})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// deliver works the delivery job of message id (attempt of 8) through River (rivertest) with
// the workflow's deliver worker and the email sender, and returns the worker's verdict.
func (e *env) deliver(id int64, attempt int) error {
	e.t.Helper()
	cfg := workflow.Config{Pool: e.pool, Store: e.store}
	cfg.AddChannel(inbox.ChannelEmail, channels.Parts{Sender: e.sender})
	workers, err := workflow.Workers(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	w := jobtest.New[workflow.DeliverArgs](e.t, e.pool, workers)
	return w.WorkJob(e.t, jobtest.JobID(e.t, e.pool, "deliver", map[string]any{"message_id": id}), attempt)
}

// mail is a message with CRLF line ends; headers then body.
func mail(headers []string, body ...string) []byte {
	return []byte(strings.Join(headers, "\r\n") + "\r\n\r\n" + strings.Join(body, "\r\n") + "\r\n")
}

// customerMail is a plain message from a customer to the inbox.
func customerMail(id, from, subject, text string, extra ...string) []byte {
	h := append([]string{
		"From: Carol Customer <" + from + ">",
		"To: support@example.com",
		"Subject: " + subject,
		"Date: Mon, 23 Nov 2026 08:00:00 +0000",
		"Message-ID: <" + id + ">",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
	}, extra...)
	return mail(h, text)
}

// header returns the first value of header key in raw (unfolded).
func header(raw []byte, key string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	head = strings.ReplaceAll(strings.ReplaceAll(head, "\n ", " "), "\n\t", " ")
	for _, line := range strings.Split(head, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// state returns the inbox's stored sync position.
func (e *env) state() (uidValidity, lastUID int64) {
	e.t.Helper()
	if err := e.pool.QueryRow(context.Background(), `SELECT uid_validity, last_uid FROM email_mailbox_state WHERE inbox_id = $1`,
		e.inbox.ID).Scan(&uidValidity, &lastUID); err != nil {
		e.t.Fatalf("state: %v", err)
	}
	return uidValidity, lastUID
}

func (e *env) String() string { return fmt.Sprintf("inbox %d", e.inbox.ID) }
