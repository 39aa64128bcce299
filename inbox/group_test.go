package inbox_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestGroupCommitIsolatesAFailingMessage sends a burst of messages at once, one of which cannot
// be stored (its inbox does not exist): the others are stored, each with its jobs and its
// event exactly once, and the failing one leaves nothing behind, whichever batch it shared.
func TestGroupCommitIsolatesAFailingMessage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	listener := e.listen(t)

	const n, bad = 40, 17
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "burst-" + itoa(i),
				From: emailFrom("burst" + itoa(i) + "@example.com"), Text: "hello"}
			if i == bad {
				in.InboxID = 987654321
			}
			_, errs[i] = e.store.Ingest(ctx, in)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == bad) {
			t.Fatalf("message %d: err = %v", i, err)
		}
	}
	if got := e.count(t, "SELECT count(*) FROM messages WHERE external_id LIKE 'burst-%'"); got != n-1 {
		t.Fatalf("stored %d messages, want %d", got, n-1)
	}
	if got := e.count(t, "SELECT count(*) FROM contact_identities WHERE address = $1", "burst"+itoa(bad)+"@example.com"); got != 0 {
		t.Fatalf("the failed message left %d identities", got)
	}
	// Each stored message caused two events (conversation.created, message.created), a job each.
	if got := e.count(t, "SELECT count(*) FROM river_job"); got != 2*(n-1) {
		t.Fatalf("jobs = %d, want %d", got, 2*(n-1))
	}

	// Every event of the burst was announced once, before a later message's.
	last := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "after", From: emailFrom("after@example.com"), Text: "later"})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	seen := map[int64]int{}
	for seen[last.MessageID] == 0 {
		note, err := listener.WaitForNotification(wctx)
		if err != nil {
			t.Fatalf("waiting for the announcements: %v (saw %d)", err, len(seen))
		}
		var evs []inbox.Event
		if err := json.Unmarshal([]byte(note.Payload), &evs); err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Type == inbox.EventMessageCreated {
				seen[ev.MessageID]++
			}
		}
	}
	if len(seen) != n {
		t.Fatalf("announced %d messages, want %d (the burst's and the later one)", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("message %d announced %d times", id, k)
		}
	}
}

// TestSimultaneousChannelsOfOneCustomerShareAConversation: a customer known by email and phone
// writes on both at once, with no active conversation. The first message to lock the customer
// starts a conversation; the second waits for it and must join it, not start another.
func TestSimultaneousChannelsOfOneCustomerShareAConversation(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	byMail := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "s1", From: emailFrom("sim@example.com"), Text: "by mail"})
	byPhone := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "s2", From: phoneFrom("+15550100777"), Text: "by phone"})
	if _, err := e.store.Merge(ctx, byMail.ContactID, byPhone.ContactID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{byMail.ConversationID, byPhone.ConversationID} {
		if _, err := e.store.SetStatus(ctx, id, inbox.StatusClosed, inbox.Actor{}); err != nil {
			t.Fatal(err)
		}
	}

	// A channel's own transaction takes the email message and holds it uncommitted.
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	first, err := e.store.IngestTx(ctx, tx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "s3", From: emailFrom("sim@example.com"), Text: "again by mail"})
	if err != nil || !first.NewConversation {
		t.Fatalf("first = %+v, %v; want a new conversation", first, err)
	}
	// Meanwhile the SMS arrives; it must wait for the customer.
	type result struct {
		res inbox.IngestResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "s4", From: phoneFrom("+15550100777"), Text: "again by phone"})
		done <- result{res, err}
	}()
	// Commit only once the SMS's transaction is waiting on a lock the email's holds.
	for e.count(t, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE NOT l.granted AND a.datname = current_database()`) == 0 {
		select {
		case r := <-done:
			t.Fatalf("the SMS was stored without waiting for the customer: %+v, %v", r.res, r.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res.ConversationID != first.ConversationID || r.res.NewConversation {
		t.Fatalf("the SMS went to conversation %d (new %v), want the email's %d", r.res.ConversationID, r.res.NewConversation, first.ConversationID)
	}
}
