package email_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/parleyhq/parley/channels/email"
)

// TestRescuedPollWaitsForTheLiveOne: a poll job left "running" two minutes ago is rescued by
// River and run again here, but while the process that ran it still holds the mailbox lock
// (it is alive, in its sync), the copy ends at once without logging in to IMAP: the mailbox
// is never read twice at a time. Once the lock is released, the next run reads the mail.
func TestRescuedPollWaitsForTheLiveOne(t *testing.T) {
	e := setup(t, envOptions{idle: true})
	ctx := context.Background()
	e.imap.Append(t, customerMail("r1@customer.example", "carol@customer.example", "Order question", "Hello"))

	live, err := e.pool.Acquire(ctx) // the original poll's session, on another process
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()
	if _, err := live.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", email.MailboxLockKey(e.inbox.ID)); err != nil {
		t.Fatal(err)
	}
	inserter, err := river.NewClient(riverpgxv5.New(e.pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := inserter.Insert(ctx, email.PollArgs{InboxID: e.inbox.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '2 minutes', attempted_by = ARRAY['the-other-process'] WHERE id = $1`, res.Job.ID); err != nil {
		t.Fatal(err)
	}

	e.startWorkers(t, email.NewFetcher(email.FetcherConfig{Store: e.store, SecretKey: secretKey, IdleFor: time.Second,
		PollEvery: 100 * time.Millisecond}))
	waitLong(t, "the rescued copy's run", func() bool {
		return e.count(`SELECT count(*) FROM river_job WHERE id = $1 AND (metadata->>'snoozes')::int >= 1`, res.Job.ID) == 1
	})
	if n := e.imap.Logins(); n != 0 {
		t.Errorf("the rescued copy logged in %d times while the live poll held the mailbox", n)
	}
	if n := e.count(`SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d messages stored by the copy, want 0", n)
	}

	if _, err := live.Exec(ctx, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", email.MailboxLockKey(e.inbox.ID)); err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the mail, once the lock is free", func() bool { return e.count(`SELECT count(*) FROM messages`) == 1 })
}

// waitLong waits for cond, up to a minute: River's rescuer runs every 30 s, and the rescued job
// waits for its retry and the scheduler's tick. A guard against a hang, not a measure of speed.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
