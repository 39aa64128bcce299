package chat

import (
	"context"
	"sync"

	"github.com/parleyhq/parley/inbox"
)

// maxLoadBatch bounds the ids of one query of the message loader, and maxLoaders the queries
// it runs at once.
const (
	maxLoadBatch = 1000
	maxLoaders   = 4
)

// messageLoader fetches the messages the visitor sockets show, combining the requests that
// arrive while its queries run into the next ones: a transaction of 5,000 replies to 5,000
// visitors costs a handful of queries, not one per socket. Up to maxLoaders queries run at
// once, so that one slow query does not hold back the requests that arrive behind it.
type messageLoader struct {
	store *inbox.Store

	mu      sync.Mutex
	waiting map[int64][]chan loaded
	loaders int // goroutines loading
}

// loaded is a loader's answer: the message, found false when it does not exist.
type loaded struct {
	m     inbox.Message
	found bool
	err   error
}

// get returns message id (inbox.ErrNotFound when it does not exist).
func (l *messageLoader) get(ctx context.Context, id int64) (inbox.Message, error) {
	ch := make(chan loaded, 1)
	l.mu.Lock()
	if l.waiting == nil {
		l.waiting = map[int64][]chan loaded{}
	}
	l.waiting[id] = append(l.waiting[id], ch)
	lead := l.loaders < maxLoaders
	if lead {
		l.loaders++
	}
	l.mu.Unlock()
	if lead {
		go l.load(context.WithoutCancel(ctx))
	}
	select {
	case r := <-ch:
		if r.err == nil && !r.found {
			r.err = inbox.ErrNotFound
		}
		return r.m, r.err
	case <-ctx.Done():
		return inbox.Message{}, ctx.Err()
	}
}

// load runs queries until no request waits; others may run beside it.
func (l *messageLoader) load(ctx context.Context) {
	for {
		l.mu.Lock()
		if len(l.waiting) == 0 {
			l.loaders--
			l.mu.Unlock()
			return
		}
		batch := map[int64][]chan loaded{}
		ids := make([]int64, 0, min(len(l.waiting), maxLoadBatch))
		for id, chs := range l.waiting {
			if len(ids) == maxLoadBatch {
				break
			}
			ids = append(ids, id)
			batch[id] = chs
			delete(l.waiting, id)
		}
		l.mu.Unlock()
		msgs, err := l.store.GetMessagesByID(ctx, ids)
		byID := make(map[int64]inbox.Message, len(msgs))
		for _, m := range msgs {
			byID[m.ID] = m
		}
		for id, chs := range batch {
			m, ok := byID[id]
			for _, ch := range chs {
				ch <- loaded{m: m, found: ok, err: err}
			}
		}
	}
}
