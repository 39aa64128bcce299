package email_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/email"
)

// TestIdleDeliversNewMail: after its sync, Poll waits in IDLE; a message arriving then is
// stored without waiting for the next poll. The latency is logged, not asserted.
func TestIdleDeliversNewMail(t *testing.T) {
	e := setup(t, envOptions{idle: true, fetcher: email.FetcherConfig{IdleFor: time.Minute}})
	idling := make(chan struct{}, 4)
	e.imap.OnIdle(func() { idling <- struct{}{} })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		next time.Duration
		err  error
	}
	done := make(chan result, 1)
	go func() {
		next, err := e.fetcher.Poll(ctx, e.inbox.ID)
		done <- result{next, err}
	}()
	waitFor(t, idling, "the first IDLE")

	start := time.Now()
	e.imap.Append(t, customerMail("idle@customer.example", "carol@customer.example", "Are you there?", "Hello?"))
	deadline := time.Now().Add(10 * time.Second)
	for e.count(`SELECT count(*) FROM messages WHERE external_id = 'idle@customer.example'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the message that arrived during IDLE was not stored within 10 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("IDLE: a new message was stored %v after it arrived", time.Since(start).Round(100*time.Microsecond))
	waitFor(t, idling, "IDLE again after the sync")

	cancel()
	select {
	case r := <-done:
		if r.err == nil {
			t.Errorf("Poll returned (%v, nil) after its context ended, want the context's error", r.next)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Poll did not return after its context ended")
	}
}

// TestIdleEndsAfterIdleFor: with nothing arriving, Poll returns once IdleFor has passed and
// asks to run again at once (the job re-enqueues itself, reconnecting).
func TestIdleEndsAfterIdleFor(t *testing.T) {
	e := setup(t, envOptions{idle: true, fetcher: email.FetcherConfig{IdleFor: 300 * time.Millisecond}})
	var idled atomic.Bool
	e.imap.OnIdle(func() { idled.Store(true) })
	if next := e.poll(); next != 0 {
		t.Errorf("next = %v, want 0 (run again at once)", next)
	}
	if !idled.Load() {
		t.Error("Poll never entered IDLE on a server that offers it")
	}
}

// TestPollWithoutIdle: a server without IDLE is synced and polled again after PollEvery.
func TestPollWithoutIdle(t *testing.T) {
	e := setup(t, envOptions{fetcher: email.FetcherConfig{PollEvery: 90 * time.Second}})
	var idled atomic.Bool
	e.imap.OnIdle(func() { idled.Store(true) })
	e.appendN(1, 1)
	if next := e.poll(); next != 90*time.Second {
		t.Errorf("next = %v, want PollEvery", next)
	}
	if idled.Load() {
		t.Error("Poll sent IDLE to a server that does not offer it")
	}
	e.requireEachOnce(1, 1)
}

func waitFor(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
