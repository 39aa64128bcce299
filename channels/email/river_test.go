package email_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// startWorkers runs Parley's River workers with the email channel, as `parley serve` does,
// until the test ends. (The test runs workflow's client end to end; the channel's own code
// imports no workflow.)
func (e *env) startWorkers(t *testing.T, fetcher *email.Fetcher) *river.Client[pgx.Tx] {
	t.Helper()
	cfg := workflow.Config{Pool: e.pool, Store: e.store}
	cfg.AddChannel(inbox.ChannelEmail, email.PartsWith(e.store, e.sender, fetcher))
	c, err := workflow.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := c.StopAndCancel(ctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
	})
	return c
}

// eventually waits up to 10 s for cond, checking often; it fails the test with what otherwise.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoServersOneFetcher runs two worker processes (two `parley serve`) on one database and
// one mailbox over IDLE: the inbox has one poll job, its mail is stored once, and a reply an
// agent writes is delivered by the delivery job.
func TestTwoServersOneFetcher(t *testing.T) {
	e := setup(t, envOptions{idle: true})
	ctx := context.Background()
	fetcher := func() *email.Fetcher {
		return email.NewFetcher(email.FetcherConfig{Store: e.store, SecretKey: secretKey, IdleFor: 2 * time.Second})
	}
	a := e.startWorkers(t, fetcher())
	b := e.startWorkers(t, fetcher())
	for _, c := range []*river.Client[pgx.Tx]{a, b} { // both processes start the inbox's poll job
		if _, err := c.Insert(ctx, email.PollArgs{InboxID: e.inbox.ID}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(`SELECT count(*) FROM river_job WHERE kind = 'email_poll'`); n != 1 {
		t.Fatalf("%d poll jobs for one inbox, want 1", n)
	}
	for i := 1; i <= 5; i++ {
		e.imap.Append(t, customerMail(fmt.Sprintf("r%d@customer.example", i), "carol@customer.example",
			"Order question", fmt.Sprintf("Message %d", i)))
	}
	eventually(t, "the five messages", func() bool { return e.count(`SELECT count(*) FROM messages`) == 5 })
	// The poll job outlives its IDLE sessions: once one has ended, the job runs again and
	// logs in anew.
	logins := e.imap.Logins()
	eventually(t, "the poll job's next run", func() bool { return e.imap.Logins() > logins })
	e.imap.Append(t, customerMail("r6@customer.example", "carol@customer.example", "Order question", "Message 6"))
	eventually(t, "the sixth message", func() bool { return e.count(`SELECT count(*) FROM messages`) == 6 })
	for i := 1; i <= 6; i++ {
		if n := e.count(`SELECT count(*) FROM messages WHERE external_id = $1`, fmt.Sprintf("r%d@customer.example", i)); n != 1 {
			t.Errorf("r%d stored %d times", i, n)
		}
	}
	if n := e.count(`SELECT count(*) FROM river_job WHERE kind = 'email_poll' AND state IN ('running', 'scheduled', 'available')`); n != 1 {
		t.Errorf("%d live poll jobs, want the one", n)
	}

	convID := e.messageByEmailID("r1@customer.example").ConversationID
	r := e.reply(convID, "Thanks, all six received.")
	eventually(t, "the reply's delivery", func() bool {
		m, err := e.store.GetMessage(ctx, r.ID)
		return err == nil && m.DeliveryStatus == inbox.DeliverySent
	})
	if got := e.smtp.Messages(); len(got) != 1 || got[0].To[0] != "carol@customer.example" {
		t.Errorf("sink got %+v", got)
	}
}
