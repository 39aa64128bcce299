package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/inbox"
)

// TestInTxRetriesARealDeadlock runs two transactions that lock two rows in opposite orders, each
// taking its first row before either asks for its second: PostgreSQL aborts one of them
// (40P01), and InTx runs that one again, so both succeed, in three attempts or more.
func TestInTxRetriesARealDeadlock(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	a := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "dl-a", From: emailFrom("a@example.com"), Text: "a"}).ContactID
	b := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "dl-b", From: emailFrom("b@example.com"), Text: "b"}).ContactID

	var attempts atomic.Int32
	var firstLocks sync.WaitGroup
	firstLocks.Add(2)
	lockBoth := func(first, second int64) error {
		n := 0
		return e.store.InTx(ctx, func(tx pgx.Tx) error {
			n++
			attempts.Add(1)
			if _, err := tx.Exec(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, first); err != nil {
				return err
			}
			if n == 1 {
				firstLocks.Done()
				firstLocks.Wait()
			}
			_, err := tx.Exec(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, second)
			return err
		})
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = lockBoth(a, b) })
	wg.Go(func() { errs[1] = lockBoth(b, a) })
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	// At least three: one of the two deadlocked and ran again. The run again may meet the other
	// one's second lock request once more (a row lock is not handed over in queue order: the
	// rerun can take its first row before the survivor, woken by the abort, takes it), and
	// deadlock again; it seldom does, so more is allowed, as long as both succeed.
	if n := attempts.Load(); n < 3 {
		t.Errorf("%d attempts, want at least 3: one of the two deadlocked and ran again", n)
	}
}

// TestInTxRetriesOnlyDeadlocksAndSerializationFailures: any other error is returned at once,
// and a transaction that keeps failing with a retryable error is given up after a few
// attempts, with that error.
func TestInTxRetriesOnlyDeadlocksAndSerializationFailures(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		err   error
		retry bool
	}{
		{&pgconn.PgError{Code: "40P01"}, true},
		{&pgconn.PgError{Code: "40001"}, true},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001"}), true},
		{&pgconn.PgError{Code: "23505"}, false},
		{inbox.ErrConflict, false},
	} {
		if got := inbox.Retryable(tc.err); got != tc.retry {
			t.Errorf("Retryable(%v) = %t, want %t", tc.err, got, tc.retry)
		}
		n := 0
		err := e.store.InTx(ctx, func(pgx.Tx) error {
			n++
			return tc.err
		})
		if !errors.Is(err, tc.err) {
			t.Errorf("InTx returned %v, want %v", err, tc.err)
		}
		if tc.retry && (n < 2 || n > 10) || !tc.retry && n != 1 {
			t.Errorf("%v: %d attempts", tc.err, n)
		}
	}
}

// TestGroupCommitRetriesADeadlock puts a batched ingest into a real deadlock: another
// transaction holds a customer's conversation, the ingest of the customer's next message locks
// their contact and waits for the conversation, and the other transaction then asks for the
// contact. PostgreSQL aborts the ingest's transaction (the other waits longer before it checks
// for deadlocks), and the group commit runs it again: every caller, those that shared the
// batch included, has its message stored exactly once.
func TestGroupCommitRetriesADeadlock(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	first := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "gd-0", From: emailFrom("jo@example.com"), Text: "hi"})

	blocker, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = blocker.Rollback(ctx) }()
	if _, err := blocker.Exec(ctx, `SET LOCAL deadlock_timeout = '20s'`); err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec(ctx, `SELECT 1 FROM conversations WHERE id = $1 FOR NO KEY UPDATE`, first.ConversationID); err != nil {
		t.Fatal(err)
	}

	const others = 6
	results := make([]inbox.IngestResult, others+1)
	errs := make([]error, others+1)
	var wg sync.WaitGroup
	for i := range others + 1 {
		wg.Go(func() {
			in := inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("gd-%d", i+1),
				From: emailFrom(fmt.Sprintf("other%d@example.com", i)), Text: "hello"}
			if i == 0 {
				in.From = emailFrom("jo@example.com")
			}
			results[i], errs[i] = e.store.Ingest(ctx, in)
		})
	}
	// Wait (a synchronization, not a measure) until the ingest waits for the conversation.
	for e.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := blocker.Exec(ctx, `SELECT 1 FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, first.ContactID); err != nil {
		t.Fatalf("the blocker was aborted, not the ingest: %v", err)
	}
	if err := blocker.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		} else if results[i].Duplicate || results[i].MessageID == 0 {
			t.Errorf("message %d: %+v", i, results[i])
		}
	}
	if results[0].ConversationID != first.ConversationID {
		t.Errorf("the customer's next message went to conversation %d, want %d", results[0].ConversationID, first.ConversationID)
	}
	if n := e.count(t, `SELECT count(*) FROM messages WHERE external_id LIKE 'gd-%'`); n != others+2 {
		t.Errorf("%d messages stored, want %d", n, others+2)
	}
	if n := e.count(t, `SELECT count(DISTINCT external_id) FROM messages WHERE external_id LIKE 'gd-%'`); n != others+2 {
		t.Errorf("%d distinct messages stored, want %d", n, others+2)
	}
}
