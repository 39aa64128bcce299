package chat

import (
	"errors"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/internal/custtext"
	"github.com/parleyhq/parley/internal/netlimit"
)

// Limits bound what one source address may take of the chat. The address is the one the web
// layer found (netlimit.Client: behind trusted proxies, the one they forward), counted under
// netlimit.SourceKey (an IPv6 /64 is one address). Zero fields take the defaults; a negative
// field turns its limit off. Messages per visitor are the Limiter's (Config.Limiter).
type Limits struct {
	// NewVisitorsPerMinute is how many new visitors (a hello without a valid token) one
	// address may start a minute, in bursts of as many; default 20.
	NewVisitorsPerMinute int
	// SocketsPerAddress is how many sockets one address may hold open at once; default 30.
	SocketsPerAddress int
	// Now is the clock of the new-visitor buckets; default time.Now.
	Now func() time.Time
}

// Default limits.
const (
	DefaultNewVisitorsPerMinute = 20
	DefaultSocketsPerAddress    = 30
)

// CloseLimited is the close status of a socket refused by a limit of its address (too many
// sockets, too many new visitors): the error frame before it carries retry_after, and the
// widget waits that long before it reconnects. It is in the range RFC 6455 leaves to
// applications; 4429 echoes HTTP's 429.
const CloseLimited = 4429

// socketsRetryAfter is the retry_after of a socket refused for too many sockets: one closes
// when a tab does, so a little later usually finds room.
const socketsRetryAfter = 30 * time.Second

func (l *Limits) defaults() {
	if l.NewVisitorsPerMinute == 0 {
		l.NewVisitorsPerMinute = DefaultNewVisitorsPerMinute
	}
	if l.SocketsPerAddress == 0 {
		l.SocketsPerAddress = DefaultSocketsPerAddress
	}
}

// newVisitorLimiter is the per-address bucket of new visitors, nil when it is off.
func newVisitorLimiter(l Limits) *Limiter {
	if l.NewVisitorsPerMinute < 0 {
		return nil
	}
	return NewLimiter(LimiterConfig{Rate: float64(l.NewVisitorsPerMinute) / 60, Burst: l.NewVisitorsPerMinute, Now: l.Now})
}

// limitedError is a hello refused by a limit of its address. text is the customer text key
// (custtext) that tells the visitor; its {seconds} is the wait.
type limitedError struct {
	code string
	wait time.Duration
	text string
}

func (e *limitedError) Error() string { return "chat: " + e.code }

// frame is the error frame that tells the visitor in texts, with when to try again.
func (e *limitedError) frame(texts custtext.Set) Error {
	return Error{Code: e.code, Message: texts.Get(e.text, "seconds", strconv.Itoa(retrySeconds(e.wait))),
		RetryAfter: retrySeconds(e.wait)}
}

// retrySeconds rounds a wait up to whole seconds, at least 1.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// takeNewVisitor charges one new visitor to source; it fails with a *limitedError when the
// address has started too many.
func (s *Server) takeNewVisitor(source string) error {
	if s.newVisitors == nil {
		return nil
	}
	if wait := s.newVisitors.Take(source); wait > 0 {
		return &limitedError{code: CodeTooManyVisitors, wait: wait, text: "chat.too_many_visitors"}
	}
	return nil
}

// enterSocket takes a socket slot of the request's address for c; it reports false when the
// address holds its cap already.
func (s *Server) enterSocket(c *socket) bool {
	if s.sockets == nil {
		return true
	}
	if !s.sockets.Enter(c.source) {
		return false
	}
	c.holdsSlot = true
	return true
}

// leaveSocket gives back c's slot, if it holds one.
func (s *Server) leaveSocket(c *socket) {
	if c.holdsSlot && s.sockets != nil {
		s.sockets.Leave(c.source)
	}
}

// refuseLimited tells the visitor which limit refused them and closes with CloseLimited.
func (c *socket) refuseLimited(err error) {
	var le *limitedError
	if !errors.As(err, &le) {
		c.refuse(Error{Code: CodeInternal, Message: c.srv.text(c, "chat.unavailable")}, websocket.CloseInternalServerErr)
		return
	}
	c.refuse(le.frame(c.srv.texts(c)), CloseLimited)
}

// newSocketGate is the per-address socket cap, nil when it is off.
func newSocketGate(l Limits) *netlimit.Gate {
	if l.SocketsPerAddress < 0 {
		return nil
	}
	return netlimit.NewGate(l.SocketsPerAddress)
}
