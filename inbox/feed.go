package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EventFeedResumed is delivered to subscribers after the feed lost and regained its LISTEN
// connection: events committed in between were missed, so live views should catch up.
const EventFeedResumed = "feed.resumed"

// Feed is a process's one LISTEN connection on NotifyChannel. It decodes every notification
// and hands the events to its subscribers, so any number of sockets share one connection, and
// several parley processes on one database all see every event.
type Feed struct {
	cfg *pgx.ConnConfig
	log *slog.Logger

	mu     sync.Mutex
	subs   map[int]func(Event)
	nextID int
	ready  chan struct{}
}

// NewFeed returns a Feed that connects with pool's settings (on a connection of its own).
func NewFeed(pool *pgxpool.Pool, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Feed{cfg: pool.Config().ConnConfig.Copy(), log: log, subs: map[int]func(Event){}, ready: make(chan struct{})}
}

// Subscribe registers fn for every event until cancel is called. fn runs on the feed's
// goroutine and must not block: hand the event to a buffered queue and return.
func (f *Feed) Subscribe(fn func(Event)) (cancel func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextID
	f.nextID++
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.mu.Unlock()
	}
}

// Ready is closed once the feed is listening for the first time.
func (f *Feed) Ready() <-chan struct{} { return f.ready }

// Run listens until ctx ends, reconnecting with backoff (capped at 5 s) when the connection
// breaks. It returns nil when ctx is done.
func (f *Feed) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	first := true
	for {
		err := f.listen(ctx, first)
		if ctx.Err() != nil {
			return nil
		}
		first = false
		f.log.Warn("event feed disconnected; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (f *Feed) listen(ctx context.Context, first bool) error {
	conn, err := pgx.ConnectConfig(ctx, f.cfg)
	if err != nil {
		return fmt.Errorf("inbox: feed: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return fmt.Errorf("inbox: feed: listen: %w", err)
	}
	if first {
		close(f.ready)
	} else {
		f.dispatch(Event{Type: EventFeedResumed, At: time.Now()})
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("inbox: feed: wait: %w", err)
		}
		var events []Event
		if err := json.Unmarshal([]byte(n.Payload), &events); err != nil {
			f.log.Error("event feed: undecodable notification", "err", err)
			continue
		}
		for _, e := range events {
			f.dispatch(e)
		}
	}
}

func (f *Feed) dispatch(e Event) {
	f.mu.Lock()
	fns := make([]func(Event), 0, len(f.subs))
	for _, fn := range f.subs {
		fns = append(fns, fn)
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}
