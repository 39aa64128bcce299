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
