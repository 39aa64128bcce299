package netlimit

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/httperr"
)

// Gate counts what each source key holds at once (requests in flight, open sockets) and
// refuses more than its cap. It remembers only keys that hold something, so its memory is
// bounded by what is held. A Gate is safe for concurrent use.
type Gate struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// NewGate returns a Gate letting each key hold max at once; max <= 0 lets everything through.
func NewGate(max int) *Gate {
	return &Gate{max: max, n: map[string]int{}}
}

// Enter takes one for key and reports true, or reports false (taking nothing) when key holds
// its cap already. Every true is followed by one Leave.
func (g *Gate) Enter(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.max > 0 && g.n[key] >= g.max {
		return false
	}
	g.n[key]++
	return true
}

// Leave gives back one that key took.
func (g *Gate) Leave(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key] <= 1 {
		delete(g.n, key)
		return
	}
	g.n[key]--
}

// Held is how many key holds now.
func (g *Gate) Held(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n[key]
}

// Limit lets a request through next only while its source address (Client, counted under
// SourceKey) holds fewer requests in flight than the cap; over it, the answer is 429 with
// Retry-After: retryAfter (whole seconds, at least 1) and the error body code
// "too_many_connections".
func (g *Gate) Limit(next http.Handler, retryAfter time.Duration) http.Handler {
	secs := strconv.Itoa(max(1, int(retryAfter.Round(time.Second)/time.Second)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := SourceKey(Client(r))
		if !g.Enter(key) {
			w.Header().Set("Retry-After", secs)
			httperr.Write(w, http.StatusTooManyRequests, "too_many_connections",
				"too many requests at once from your address; try again in a moment")
			return
		}
		defer g.Leave(key)
		next.ServeHTTP(w, r)
	})
}
