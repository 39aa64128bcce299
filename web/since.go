package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// A page's first socket opens a moment after the page was read from the database: an event in
// between (a reply's delivery, a customer's message) would reach no socket of the page, which
// would show its older state until the next event. So every page says when its request began
// (the layout's data-since, from stamp), its first socket passes that on (?since=), and the hub
// hands the joining socket the events it delivered since then that the socket may see, first,
// as if the socket had been open all along (join). When it no longer holds events that far
// back, it tells the socket to catch up (feed.resumed) instead. A reconnecting page catches up
// anyway and passes no since.

const (
	// clockSlack is how far the clocks of two parley processes may disagree: the page may come
	// from one process and its socket open on another. An event replayed too many costs one
	// refetch of what it touched.
	clockSlack = time.Second
	// replayWindow is how long the hub keeps delivered events for late sockets, and maxRecent
	// how many at most (at the busiest, the window shrinks to a fraction of a second and late
	// sockets are told to catch up instead).
	replayWindow = 10 * time.Second
	maxRecent    = 4096
	// maxReplay is the most events a late socket is replayed: beyond it the page reads what it
	// shows again (feed.resumed), which costs it less than handling each event.
	maxReplay = 256
)

// startKey is the context key of the time the request began (stamp).
type startKey struct{}

// stamp records when each request began, before any handler reads the database.
func stamp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), startKey{}, time.Now())))
	})
}

// requestStart is when r began (stamp), or now for a request that did not pass stamp.
func requestStart(r *http.Request) time.Time {
	if t, ok := r.Context().Value(startKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

// parseSince reads the socket request's ?since= (zero when absent).
func parseSince(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("since")
	if v == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}, &inbox.ValidationError{Field: "since", Reason: "want the page's data-since, milliseconds since 1970"}
	}
	return time.UnixMilli(ms), nil
}

// remember keeps a delivery's events for late sockets (presence aside: each page announces
// itself when its socket opens, and its colleagues answer), and lets go of those older than
// replayWindow or beyond maxRecent. Only flush calls it. Events let go stay in the slice, before
// recentAt, until they are half of it: then the rest moves down, once for many deliveries.
func (h *hub) remember(batch []outEvent) {
	for _, oe := range batch {
		if !strings.HasPrefix(oe.e.Type, presencePrefix) {
			h.recent = append(h.recent, oe)
		}
	}
	cut := max(h.recentAt, len(h.recent)-maxRecent)
	for horizon := time.Now().Add(-replayWindow); cut < len(h.recent) && h.recent[cut].at.Before(horizon); {
		cut++
	}
	if cut == h.recentAt {
		return
	}
	h.recentFrom = h.recent[cut-1].at
	h.recentAt = cut
	if cut > len(h.recent)/2 {
		n := copy(h.recent, h.recent[cut:])
		clear(h.recent[n:])
		h.recent, h.recentAt = h.recent[:n], 0
	}
}

// kept is the events remember holds, oldest first.
func (h *hub) kept() []outEvent { return h.recent[h.recentAt:] }

// join adds c to the hub. With since (when its page was read), it first queues for c the
// events delivered since then (less clockSlack) that c may see, in one frame, or a feed.resumed
// when the hub no longer holds events that far back or they are more than maxReplay. It holds
// mu throughout, so every event reaches c exactly once: delivered before c joined and replayed
// here, or after and queued by its delivery, in order.
func (h *hub) join(c *client, since time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients[c] = struct{}{}
	h.metrics.sockets.Inc()
	if since.IsZero() {
		return
	}
	from := since.Add(-clockSlack)
	if !from.After(h.recentFrom) {
		h.resume(c)
		return
	}
	kept := h.kept()
	seen := make([]byte, len(kept)) // as in flush: which of them c sees
	n := 0
	for i, oe := range kept {
		if !oe.at.Before(from) && c.sees(oe.e) {
			seen[i], n = 1, n+1
		}
	}
	switch {
	case n == 0:
		return
	case n > maxReplay:
		h.resume(c)
		return
	}
	if pm := h.frame(kept, seen); pm != nil {
		c.push(pm, nil)
	}
}

// resume queues a feed.resumed frame for c alone: its page catches up.
func (h *hub) resume(c *client) {
	msg, err := encodeEvent(inbox.Event{Type: inbox.EventFeedResumed, At: time.Now()})
	if err != nil {
		h.log.Error("event socket: resume", "err", err)
		return
	}
	if pm := h.frame([]outEvent{{json: msg}}, []byte{1}); pm != nil {
		c.push(pm, nil)
	}
}
