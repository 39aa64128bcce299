package inbox

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

// batchLog records the events of each batch: the group commit enqueues a batch's jobs in one
// call.
type batchLog struct {
	mu      sync.Mutex
	batches [][]Event
}

func (l *batchLog) Enqueue(_ context.Context, _ pgx.Tx, events []Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.batches = append(l.batches, events)
	return nil
}

// messagesPerBatch counts the messages each batch stored.
func (l *batchLog) messagesPerBatch() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int
	for _, b := range l.batches {
		n := 0
		for _, e := range b {
			if e.Type == EventMessageCreated {
				n++
			}
		}
		out = append(out, n)
	}
	return out
}

// TestLeaderGathersTheCallersItExpects: a leader that expects three callers waits for the two
// that arrive after it, and all three share one transaction.
func TestLeaderGathersTheCallersItExpects(t *testing.T) {
	t.Parallel()
	log := &batchLog{}
	s := New(dbtest.Pool(t), Options{Jobs: log})
	ctx := context.Background()
	g := s.group
	g.mu.Lock()
	// As if three callers had lately been in the group at once, and a batch took a minute,
	// with the cap lifted: the leader may wait up to 7.5 s, far longer than the others take.
	g.expect, g.lastRun, g.waitCap = 3, time.Minute, time.Minute
	g.mu.Unlock()

	var wg sync.WaitGroup
	errs := make([]error, 3)
	send := func(i int) {
		defer wg.Done()
		_, errs[i] = s.Ingest(ctx, Inbound{Channel: ChannelAPI, ExternalID: "gather-" + string(rune('a'+i)),
			From: Identity{Kind: IdentityEmail, Address: "gather" + string(rune('a'+i)) + "@example.com"}, Text: "hi"})
	}
	wg.Add(1)
	go send(0)
	// Once the first caller leads (it holds the slot, its message still pending), the others come.
	waitFor(t, func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.slots) == 1 && len(g.pending) == 1
	})
	for i := 1; i < 3; i++ {
		wg.Add(1)
		go send(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if got := log.messagesPerBatch(); len(got) != 1 || got[0] != 3 {
		t.Fatalf("messages per batch = %v, want [3]", got)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running != 0 {
		t.Fatalf("running = %d after every call returned", g.running)
	}
}

// TestGatheringGivesUpOnCallersWhoDoNotCome: a leader that expects more callers than come
// commits when its wait runs out, and expects only as many next time.
func TestGatheringGivesUpOnCallersWhoDoNotCome(t *testing.T) {
	t.Parallel()
	log := &batchLog{}
	s := New(dbtest.Pool(t), Options{Jobs: log})
	g := s.group
	g.mu.Lock()
	g.expect, g.lastRun = 5, time.Minute // a wait of at most maxGather
	g.mu.Unlock()

	if _, err := s.Ingest(context.Background(), Inbound{Channel: ChannelAPI, ExternalID: "alone",
		From: Identity{Kind: IdentityEmail, Address: "alone@example.com"}, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if got := log.messagesPerBatch(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("messages per batch = %v, want [1]", got)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expect != 1 {
		t.Fatalf("expect = %d after one caller came, want 1", g.expect)
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}
