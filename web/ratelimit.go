package web

import (
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/netlimit"
)

// Sign-in throttling. Failures are counted per (account, source address) and per source address,
// never per account alone: someone who fails from one address slows down only themselves, and
// the right password from an address that did not fail is always let through (no lockout
// anyone else can cause).
const (
	loginPerAccount = 5  // failures of one account from one address before slowing down
	loginPerIP      = 30 // failures from one address (any accounts) before slowing down
	loginBaseDelay  = time.Second
	loginWindow     = 15 * time.Minute // the longest delay, and how long a quiet key is remembered
	limiterSize     = 10000
)

// limiter slows down a key after free failures: each further failure doubles the wait before
// the next attempt, from base up to ceiling. A key quiet for ceiling is forgotten. It holds at
// most size keys: when full it forgets expired keys, then the oldest one, so a flood of distinct
// keys cannot grow it without bound. Time comes from an injected clock.
type limiter struct {
	now     func() time.Time
	free    int
	base    time.Duration
	ceiling time.Duration
	size    int

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	last time.Time
	n    int
}

func newLimiter(now func() time.Time, free int, base, ceiling time.Duration, size int) *limiter {
	return &limiter{now: now, free: free, base: base, ceiling: ceiling, size: size, keys: map[string]*failures{}}
}

// delay is the wait after n failures.
func (l *limiter) delay(n int) time.Duration {
	if n < l.free {
		return 0
	}
	d := l.base
	for i := l.free; i < n && d < l.ceiling; i++ {
		d *= 2
	}
	return min(d, l.ceiling)
}

// wait returns how long key must wait before its next attempt: 0 when it may try now.
func (l *limiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok {
		return 0
	}
	now := l.now()
	if now.Sub(f.last) >= l.ceiling {
		delete(l.keys, key)
		return 0
	}
	return max(f.last.Add(l.delay(f.n)).Sub(now), 0)
}

// fail records a failed attempt of key.
func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f, ok := l.keys[key]
	if ok && now.Sub(f.last) >= l.ceiling {
		f.n = 0
	}
	if !ok {
		if len(l.keys) >= l.size {
			l.evict(now)
		}
		f = &failures{}
		l.keys[key] = f
	}
	f.n++
	f.last = now
}

// reset forgets key's failures (after a success).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// evict drops forgotten keys, or else the oldest one. Called with mu held.
func (l *limiter) evict(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, f := range l.keys {
		if now.Sub(f.last) >= l.ceiling {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || f.last.Before(oldest) {
			oldestKey, oldest = k, f.last
		}
	}
	if len(l.keys) >= l.size && oldestKey != "" {
		delete(l.keys, oldestKey)
	}
}

// throttle is the sign-in limiters and how the source address of a request is found.
type throttle struct {
	pair    *limiter // per (account, source address)
	source  *limiter // per source address
	trusted []netip.Prefix
}

func newThrottle(now func() time.Time, trusted []netip.Prefix) *throttle {
	return &throttle{
		pair:    newLimiter(now, loginPerAccount, loginBaseDelay, loginWindow, limiterSize),
		source:  newLimiter(now, loginPerIP, loginBaseDelay, loginWindow, limiterSize),
		trusted: trusted,
	}
}

// keys are the limiter keys of an attempt on account from ip.
func (t *throttle) keys(account, ip string) (pair, source string) {
	src := netlimit.SourceKey(ip)
	return account + "\x00" + src, src
}

// wait is how long an attempt on account from ip must wait: 0 when it may go ahead.
func (t *throttle) wait(account, ip string) time.Duration {
	pair, src := t.keys(account, ip)
	return max(t.pair.wait(pair), t.source.wait(src))
}

// fail records a failed attempt on account from ip.
func (t *throttle) fail(account, ip string) {
	pair, src := t.keys(account, ip)
	t.pair.fail(pair)
	t.source.fail(src)
}

// succeed forgets the failures of account from ip.
func (t *throttle) succeed(account, ip string) {
	pair, _ := t.keys(account, ip)
	t.pair.reset(pair)
}

// clientIP is the address a request came from. X-Forwarded-For counts only when the direct peer
// is a trusted proxy: then the hops are read from the right, past every trusted proxy, and the
// first address not in the trusted list is the client. A spoofed header from anyone else is
// ignored.
func (t *throttle) clientIP(r *http.Request) string {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !t.isTrusted(peer) {
		return peer.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: the last good hop is the best we know
		}
		client = a.Unmap()
		if !t.isTrusted(client) {
			break
		}
	}
	return client.String()
}

func (t *throttle) isTrusted(a netip.Addr) bool {
	for _, p := range t.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHost reads the address of a host:port (or a bare address).
func parseHost(hostport string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(hostport); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(hostport)
	return a.Unmap(), err == nil
}
