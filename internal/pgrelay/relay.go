// Package pgrelay is a process's one LISTEN connection to PostgreSQL. Every part of the
// process that wants notifications (the inbox's change events, the agents' presence, the
// visitors' typing) subscribes to a channel of the one Relay; the Relay LISTENs on each
// channel named, hands every notification to the subscribers of its channel, reconnects
// with backoff when the connection breaks (a PostgreSQL restart, a terminated backend) and,
// once it listens again, tells every subscriber that notifications may have been missed so
// that it can resync.
package pgrelay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Backoff bounds: the first retry after a lost connection waits minBackoff, each failed one
// doubles the wait up to maxBackoff.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Relay holds one dedicated connection (not one of the pool's) and LISTENs on every channel
// its subscribers name. Build it with New, subscribe with Listen (before or while Run runs)
// and Run it once.
type Relay struct {
	cfg *pgx.ConnConfig
	log *slog.Logger

	mu     sync.Mutex
	subs   map[int]*sub
	nextID int
	gen    int           // bumped by every Listen: the session LISTENs what it has not yet
	wake   func()        // interrupts the session's wait for a notification; nil when not waiting
	ready  chan struct{} // closed once the first session listens
	once   sync.Once
}

// sub is one subscription.
type sub struct {
	channel  string
	notify   func(payload string)
	resumed  func()
	ready    chan struct{}
	listened bool // its channel was LISTENed once: ready is closed, a new session resumes it
}

// New returns a Relay that connects with pool's settings, on a connection of its own. A nil
// log discards.
func New(pool *pgxpool.Pool, log *slog.Logger) *Relay {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := pool.Config().ConnConfig.Copy()
	// A canceled wait must leave the connection usable: the Relay cancels its wait to LISTEN
	// on a channel subscribed meanwhile. A deadline does that; a cancel request could
	// cancel the LISTEN that follows.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	return &Relay{cfg: cfg, log: log, subs: map[int]*sub{}, ready: make(chan struct{})}
}

// Listen subscribes to channel until cancel is called. notify gets the payload of every
// notification on channel; resumed (which may be nil) is called after the Relay lost its
// connection and listens again, when notifications sent in between were missed. Both run on
// the Relay's goroutine and must not block. ready is closed once the Relay listens on channel.
func (r *Relay) Listen(channel string, notify func(payload string), resumed func()) (ready <-chan struct{}, cancel func()) {
	s := &sub{channel: channel, notify: notify, resumed: resumed, ready: make(chan struct{})}
	r.mu.Lock()
	id := r.nextID
	r.nextID++
	r.subs[id] = s
	r.gen++
	if r.wake != nil {
		r.wake()
	}
	r.mu.Unlock()
	return s.ready, func() {
		r.mu.Lock()
		delete(r.subs, id)
		r.mu.Unlock()
	}
}

// Ready is closed once the Relay listens for the first time.
func (r *Relay) Ready() <-chan struct{} { return r.ready }

// Run listens until ctx ends, reconnecting with backoff (from 100 ms, doubling, capped at
// 5 s; back to 100 ms once a connection listened) when the connection breaks. It returns nil
// when ctx is done.
func (r *Relay) Run(ctx context.Context) error {
	backoff := minBackoff
	for {
		listened, err := r.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			backoff = minBackoff
		}
		r.log.Warn("LISTEN relay disconnected; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// session connects, LISTENs on every subscribed channel, resumes the subscribers an earlier
// session served, and delivers notifications until the connection breaks or ctx ends.
// listened reports whether it got as far as listening.
func (r *Relay) session(ctx context.Context) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, r.cfg)
	if err != nil {
		return false, fmt.Errorf("pgrelay: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	on := map[string]bool{}
	resume := r.served()
	seen, err := r.listenNew(ctx, conn, on)
	if err != nil {
		return false, err
	}
	r.once.Do(func() { close(r.ready) })
	for _, s := range resume {
		s.resumed()
	}
	for {
		n, err := r.wait(ctx, conn, seen)
		switch {
		case errors.Is(err, errNewChannel):
			if seen, err = r.listenNew(ctx, conn, on); err != nil {
				return true, err
			}
		case err != nil:
			return true, err
		default:
			r.deliver(n.Channel, n.Payload)
		}
	}
}

// errNewChannel stops a wait when Listen subscribed to a channel since the last LISTEN.
var errNewChannel = errors.New("pgrelay: new channel to listen on")

// wait returns the next notification on conn, or errNewChannel (conn still usable) once the
// subscriptions moved past generation seen.
func (r *Relay) wait(ctx context.Context, conn *pgx.Conn, seen int) (*pgconn.Notification, error) {
	wait, stop := context.WithCancel(ctx)
	defer stop()
	r.mu.Lock()
	if r.gen != seen {
		r.mu.Unlock()
		return nil, errNewChannel
	}
	r.wake = stop
	r.mu.Unlock()
	n, err := conn.WaitForNotification(wait)
	r.mu.Lock()
	r.wake = nil
	woken := r.gen != seen
	r.mu.Unlock()
	switch {
	case err == nil:
		return n, nil
	case woken && ctx.Err() == nil && !conn.IsClosed():
		return nil, errNewChannel
	}
	return nil, fmt.Errorf("pgrelay: wait: %w", err)
}

// served returns the subscribers (with a resumed callback) whose channel an earlier session
// listened on: the ones that may have missed notifications.
func (r *Relay) served() []*sub {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*sub
	for _, s := range r.subs {
		if s.listened && s.resumed != nil {
			out = append(out, s)
		}
	}
	return out
}

// listenNew LISTENs on the subscribed channels conn does not listen on yet (on is the set it
// does), then marks every subscription of a listened channel ready. It returns the
// subscription generation it caught up with.
func (r *Relay) listenNew(ctx context.Context, conn *pgx.Conn, on map[string]bool) (int, error) {
	r.mu.Lock()
	gen := r.gen
	var want []string
	for _, s := range r.subs {
		if !on[s.channel] && !slices.Contains(want, s.channel) {
			want = append(want, s.channel)
		}
	}
	r.mu.Unlock()
	for _, ch := range want {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return gen, fmt.Errorf("pgrelay: listen %s: %w", ch, err)
		}
		on[ch] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.subs {
		if on[s.channel] && !s.listened {
			s.listened = true
			close(s.ready)
		}
	}
	return gen, nil
}

// deliver hands payload to the subscribers of channel.
func (r *Relay) deliver(channel, payload string) {
	r.mu.Lock()
	var fns []func(string)
	for _, s := range r.subs {
		if s.channel == channel {
			fns = append(fns, s.notify)
		}
	}
	r.mu.Unlock()
	for _, fn := range fns {
		fn(payload)
	}
}
