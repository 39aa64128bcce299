package chat

import (
	"container/list"
	"sync"
	"time"
)

// LimiterConfig configures a Limiter. Zero fields take the defaults.
type LimiterConfig struct {
	Rate    float64          // tokens added per second; default 5
	Burst   int              // bucket size: frames allowed at once; default 10
	MaxKeys int              // keys remembered at most; default 10,000
	Now     func() time.Time // the clock; default time.Now
}

// Limiter is a token-bucket rate limiter keyed by visitor. Buckets refill lazily when
// used, so it runs no goroutine. Memory is bounded: a bucket idle long enough to be full
// again is forgotten (a new one starts full, so nothing changes), and beyond MaxKeys the
// least recently used bucket is dropped, which at worst hands that visitor a fresh
// burst. A Limiter is safe for concurrent use.
type Limiter struct {
	rate     float64
	burst    float64
	maxKeys  int
	fullTime time.Duration // an empty bucket is full again after this long
	now      func() time.Time

	mu   sync.Mutex
	lru  *list.List // of *bucket, most recently used first
	keys map[string]*list.Element
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

// NewLimiter returns a Limiter configured by cfg.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.Rate <= 0 {
		cfg.Rate = 5
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 10
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 10_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{
		rate:     cfg.Rate,
		burst:    float64(cfg.Burst),
		maxKeys:  cfg.MaxKeys,
		fullTime: time.Duration(float64(cfg.Burst) / cfg.Rate * float64(time.Second)),
		now:      cfg.Now,
		lru:      list.New(),
		keys:     make(map[string]*list.Element),
	}
}

// Allow reports whether key may send one more frame now, and if so takes a token from
// its bucket.
func (l *Limiter) Allow(key string) bool { return l.Take(key) == 0 }

// Take takes a token from key's bucket and returns 0, or, when the bucket is empty, takes
// nothing and returns how long until it holds a token again.
func (l *Limiter) Take(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()

	var b *bucket
	if el, ok := l.keys[key]; ok {
		b = el.Value.(*bucket)
		b.refill(now, l.rate, l.burst)
		l.lru.MoveToFront(el)
	} else {
		b = &bucket{key: key, tokens: l.burst, last: now}
		l.keys[key] = l.lru.PushFront(b)
	}
	var wait time.Duration
	if b.tokens >= 1 {
		b.tokens--
	} else {
		wait = time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	l.evict(now)
	return wait
}

// Len returns the number of buckets held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// refill adds the tokens earned since b.last. A clock that went backwards earns nothing.
func (b *bucket) refill(now time.Time, rate, burst float64) {
	elapsed := now.Sub(b.last)
	if elapsed <= 0 {
		return
	}
	b.tokens = min(burst, b.tokens+elapsed.Seconds()*rate)
	b.last = now
}

// evict drops buckets from the least recently used end while there are too many or they
// are full again. Each bucket is pushed and dropped once, so this is O(1) amortized.
func (l *Limiter) evict(now time.Time) {
	for l.lru.Len() > 0 {
		el := l.lru.Back()
		b := el.Value.(*bucket)
		if l.lru.Len() <= l.maxKeys && now.Sub(b.last) < l.fullTime {
			return
		}
		l.lru.Remove(el)
		delete(l.keys, b.key)
	}
}
