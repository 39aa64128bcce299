package chat

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable clock for the limiter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// allowN calls Allow n times and counts the frames let through.
func allowN(l *Limiter, key string, n int) int {
	ok := 0
	for range n {
		if l.Allow(key) {
			ok++
		}
	}
	return ok
}

func TestLimiterBucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []time.Duration // clock moves before each burst of 20 calls
		want  []int           // frames allowed in each burst
	}{
		{"burst then empty", []time.Duration{0, 0}, []int{10, 0}},
		{"one token per 200ms", []time.Duration{0, 200 * time.Millisecond}, []int{10, 1}},
		{"half a token is not enough", []time.Duration{0, 100 * time.Millisecond}, []int{10, 0}},
		{"half tokens add up", []time.Duration{0, 100 * time.Millisecond, 100 * time.Millisecond}, []int{10, 0, 1}},
		{"one second refills five", []time.Duration{0, time.Second}, []int{10, 5}},
		{"refill caps at the burst", []time.Duration{0, time.Hour}, []int{10, 10}},
		{"a clock going back earns nothing", []time.Duration{0, -time.Hour, 0}, []int{10, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			l := NewLimiter(LimiterConfig{Rate: 5, Burst: 10, Now: c.now})
			for i, d := range tt.steps {
				c.advance(d)
				if got := allowN(l, "v1", 20); got != tt.want[i] {
					t.Fatalf("step %d: allowed %d, want %d", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestLimiterDefaults(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := NewLimiter(LimiterConfig{Now: c.now})
	if got := allowN(l, "v1", 20); got != 10 {
		t.Fatalf("default burst: allowed %d, want 10", got)
	}
	c.advance(time.Second)
	if got := allowN(l, "v1", 20); got != 5 {
		t.Fatalf("default rate: allowed %d after 1s, want 5", got)
	}
}

func TestLimiterKeysAreIndependent(t *testing.T) {
	t.Parallel()
	l := NewLimiter(LimiterConfig{Rate: 1, Burst: 2, Now: newClock().now})
	if got := allowN(l, "a", 5); got != 2 {
		t.Fatalf("a: allowed %d, want 2", got)
	}
	if got := allowN(l, "b", 5); got != 2 {
		t.Fatalf("b: allowed %d, want 2", got)
	}
}

func TestLimiterForgetsIdleKeys(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := NewLimiter(LimiterConfig{Rate: 5, Burst: 10, Now: c.now}) // full again after 2s
	allowN(l, "a", 10)
	allowN(l, "b", 10)
	c.advance(1999 * time.Millisecond)
	l.Allow("c")
	if got := l.Len(); got != 3 {
		t.Fatalf("before 2s: %d buckets, want 3", got)
	}
	c.advance(time.Millisecond)
	l.Allow("c")
	if got := l.Len(); got != 1 {
		t.Fatalf("after 2s: %d buckets, want 1 (a and b are full again)", got)
	}
	// A forgotten key starts with a full bucket, as it would have had.
	if got := allowN(l, "a", 20); got != 10 {
		t.Fatalf("a after eviction: allowed %d, want 10", got)
	}
}

func TestLimiterMaxKeys(t *testing.T) {
	t.Parallel()
	l := NewLimiter(LimiterConfig{Rate: 1, Burst: 3, MaxKeys: 3, Now: newClock().now})
	allowN(l, "keep", 3) // empty, and then kept recent
	for i := range 10 {
		l.Allow(fmt.Sprint("k", i))
		l.Allow("keep")
		if got := l.Len(); got > 3 {
			t.Fatalf("%d buckets, want at most 3", got)
		}
	}
	if l.Allow("keep") {
		t.Fatal("the recently used, empty bucket was forgotten")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	// 8 goroutines share one key and use 3 keys each: 25 keys, all remembered.
	shared := NewLimiter(LimiterConfig{Rate: 1, Burst: 50, MaxKeys: 25, Now: newClock().now})
	// Here 24 keys crowd into 4 slots, so buckets are evicted all the time.
	crowded := NewLimiter(LimiterConfig{Rate: 1, Burst: 50, MaxKeys: 4, Now: newClock().now})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if shared.Allow("shared") {
					allowed.Add(1)
				}
				key := fmt.Sprint("own", g, i%3)
				shared.Allow(key)
				crowded.Allow(key)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 50 {
		t.Fatalf("shared key: allowed %d, want exactly one burst of 50", got)
	}
	if got := crowded.Len(); got > 4 {
		t.Fatalf("crowded limiter holds %d buckets, want at most 4", got)
	}
}
