package pgrelay_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/pgrelay"
)

// wait is how long a test waits for the relay before failing.
const wait = 10 * time.Second

// start runs a relay on pool until the test ends.
func start(t *testing.T, pool *pgxpool.Pool) *pgrelay.Relay {
	t.Helper()
	r := pgrelay.New(pool, slog.New(slog.NewTextHandler(t.Output(), nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after its context ended: %v, want nil", err)
		}
	})
	return r
}

// collect subscribes to channel and returns the payloads as they come.
func collect(t *testing.T, r *pgrelay.Relay, channel string) (<-chan string, func()) {
	t.Helper()
	got := make(chan string, 16)
	ready, cancel := r.Listen(channel, func(p string) { got <- p }, nil)
	receive(t, ready, "the relay never listened on "+channel)
	return got, cancel
}

func receive[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(wait):
		t.Fatal(what)
	}
	var zero T
	return zero
}

func notify(t *testing.T, pool *pgxpool.Pool, channel, payload string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		t.Fatal(err)
	}
}

// Each subscriber gets the notifications of its own channel only, whether it subscribed
// before the relay ran or while it listened; a cancelled subscription gets nothing more.
func TestRelayDeliversEachChannelToItsSubscribers(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	r := pgrelay.New(pool, nil)
	early := make(chan string, 16)
	earlyReady, _ := r.Listen("relay_a", func(p string) { early <- p }, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	receive(t, earlyReady, "the relay never listened on relay_a")
	receive(t, r.Ready(), "the relay is not Ready")

	late, _ := collect(t, r, "relay_b")
	gone, stop := collect(t, r, "relay_a")
	stop()
	notify(t, pool, "relay_b", "for b")
	notify(t, pool, "relay_a", "for a")
	notify(t, pool, "relay_other", "for nobody")
	notify(t, pool, "relay_a", "again a")
	if p := receive(t, early, "relay_a got nothing"); p != "for a" {
		t.Fatalf("relay_a's subscriber got %q first, want %q", p, "for a")
	}
	if p := receive(t, early, "relay_a's second notification never came"); p != "again a" {
		t.Fatalf("relay_a's subscriber got %q second, want %q", p, "again a")
	}
	if p := receive(t, late, "relay_b got nothing"); p != "for b" {
		t.Fatalf("relay_b's subscriber got %q, want %q", p, "for b")
	}
	select {
	case p := <-late:
		t.Fatalf("relay_b's subscriber also got %q", p)
	case p := <-gone:
		t.Fatalf("a cancelled subscription got %q", p)
	default:
	}
}

// When PostgreSQL ends the relay's connection, the relay reconnects, LISTENs on every
// channel again and calls each subscriber's resumed callback; later notifications arrive.
func TestRelayReconnectsAndResumesAfterBackendKilled(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	r := start(t, pool)
	resumedA, resumedB := make(chan struct{}, 4), make(chan struct{}, 4)
	gotA, gotB := make(chan string, 16), make(chan string, 16)
	readyA, _ := r.Listen("relay_a", func(p string) { gotA <- p }, func() { resumedA <- struct{}{} })
	readyB, _ := r.Listen("relay_b", func(p string) { gotB <- p }, func() { resumedB <- struct{}{} })
	receive(t, readyA, "the relay never listened on relay_a")
	receive(t, readyB, "the relay never listened on relay_b")
	notify(t, pool, "relay_a", "before")
	if p := receive(t, gotA, "relay_a got nothing before the kill"); p != "before" {
		t.Fatalf("got %q, want %q", p, "before")
	}
	select {
	case <-resumedA:
		t.Fatal("resumed before any reconnect")
	default:
	}

	var killed int
	err := pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminate the relay's connection: killed %d, %v; want the one connection", killed, err)
	}
	receive(t, resumedA, "relay_a's subscriber was not told to resync")
	receive(t, resumedB, "relay_b's subscriber was not told to resync")
	notify(t, pool, "relay_b", "after b")
	notify(t, pool, "relay_a", "after a")
	if p := receive(t, gotA, "relay_a got nothing after the reconnect"); p != "after a" {
		t.Fatalf("relay_a got %q after the reconnect, want %q", p, "after a")
	}
	if p := receive(t, gotB, "relay_b got nothing after the reconnect"); p != "after b" {
		t.Fatalf("relay_b got %q after the reconnect, want %q", p, "after b")
	}
	// A subscriber that joins after the reconnect is listened for, and is not "resumed".
	resumedC := make(chan struct{}, 1)
	gotC := make(chan string, 1)
	readyC, _ := r.Listen("relay_c", func(p string) { gotC <- p }, func() { resumedC <- struct{}{} })
	receive(t, readyC, "the relay never listened on relay_c")
	notify(t, pool, "relay_c", "c")
	if p := receive(t, gotC, "relay_c got nothing"); p != "c" {
		t.Fatalf("relay_c got %q, want %q", p, "c")
	}
	select {
	case <-resumedC:
		t.Fatal("a subscriber that missed nothing was told to resync")
	default:
	}
}
