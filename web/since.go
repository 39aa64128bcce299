package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// A page's first socket opens a moment after the page was read from the database: an event in
// between (a reply's delivery, a customer's message) reached no socket of the page, and the
// page would show its older state until the next event. So every page says when its request
// began (the layout's data-since, from stamp), its first socket passes that on (?since=), and
// the hub tells the socket to catch up (feed.resumed) when it was handed an event since then.
// A reconnecting page catches up anyway and passes no since.

// clockSlack is how far the clocks of two parley processes may disagree: the page may come
// from one process and its socket open on another. A catch-up too many costs one refetch.
const clockSlack = time.Second

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

// missed reports whether the hub was handed an event a page shows at or after since (allowing
// for clockSlack), which a socket that joins now did not get.
func (h *hub) missed(since time.Time) bool {
	return !since.IsZero() && h.latest.Load() >= since.Add(-clockSlack).UnixNano()
}

// resume queues a feed.resumed frame for c alone: its page catches up.
func (h *hub) resume(c *client) error {
	msg, err := encodeEvent(inbox.Event{Type: inbox.EventFeedResumed, At: time.Now()})
	if err != nil {
		return err
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	if err != nil {
		return err
	}
	c.push(pm, nil)
	return nil
}
