package inbox

import (
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/pgrelay"
)

// EventFeedResumed is delivered to subscribers after the relay lost and regained its LISTEN
// connection: events committed in between were missed, so live views should catch up.
const EventFeedResumed = "feed.resumed"

// Feed is the inbox's change events of every parley process on the database: it decodes the
// notifications on NotifyChannel that the process's one pgrelay.Relay receives and hands the
// events to its subscribers, so any number of sockets share the one connection.
type Feed struct {
	log *slog.Logger

	mu     sync.Mutex
	subs   map[int]func(Event)
	nextID int
	ready  <-chan struct{}
}

// NewFeed returns the Feed of relay's notifications on NotifyChannel; it runs while relay
// runs. After relay lost and regained its connection, subscribers get EventFeedResumed.
func NewFeed(relay *pgrelay.Relay, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Feed{log: log, subs: map[int]func(Event){}}
	f.ready, _ = relay.Listen(NotifyChannel, f.notified, func() {
		f.dispatch(Event{Type: EventFeedResumed, At: time.Now()})
	})
	return f
}

// Subscribe registers fn for every event until cancel is called. fn runs on the relay's
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

// Ready is closed once the relay listens on NotifyChannel for the first time.
func (f *Feed) Ready() <-chan struct{} { return f.ready }

// notified decodes one notification (a batch of events) and dispatches its events.
func (f *Feed) notified(payload string) {
	events, err := DecodeEvents([]byte(payload))
	if err != nil {
		f.log.Error("event feed: undecodable notification", "err", err)
		return
	}
	for _, e := range events {
		f.dispatch(e)
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
