package web

import (
	"sync"
	"time"
)

// limiter counts failures per key in fixed windows and refuses a key that reached max failures
// until its window ends. It holds at most size keys: when full it forgets expired windows, then
// the oldest one, so a flood of distinct keys cannot grow it without bound. Time comes from an
// injected clock.
type limiter struct {
	now    func() time.Time
	window time.Duration
	max    int
	size   int

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	start time.Time
	n     int
}

func newLimiter(now func() time.Time, window time.Duration, max, size int) *limiter {
	return &limiter{now: now, window: window, max: max, size: size, keys: map[string]*failures{}}
}

// wait returns how long key must wait before its next attempt: 0 when it may try now.
func (l *limiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok || f.n < l.max {
		return 0
	}
	left := f.start.Add(l.window).Sub(l.now())
	if left <= 0 {
		delete(l.keys, key)
		return 0
	}
	return left
}

// fail records a failed attempt of key.
func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, ok := l.keys[key]
	if ok && now.Sub(f.start) >= l.window {
		f.start, f.n = now, 0
	}
	if !ok {
		if len(l.keys) >= l.size {
			l.evict(now)
		}
		f = &failures{start: now}
		l.keys[key] = f
	}
	f.n++
}

// reset forgets key's failures (after a success).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// evict drops expired windows, or else the oldest one. Called with mu held.
func (l *limiter) evict(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, f := range l.keys {
		if now.Sub(f.start) >= l.window {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || f.start.Before(oldest) {
			oldestKey, oldest = k, f.start
		}
	}
	if len(l.keys) >= l.size && oldestKey != "" {
		delete(l.keys, oldestKey)
	}
}
