package netlimit

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"time"
)

// WriteTimeout gives every response of next a write deadline that moves with it: each write
// (and flush) must reach the client within d of the last one that moved the deadline. A client
// that stops reading makes the handler's writes fail after about d, which frees the
// connection, while a long stream a client reads (a CSV export) goes on as long as it makes
// progress, and a handler may take its time before its first byte. A hijacked connection (a
// WebSocket) leaves the deadline behind: net/http clears it, and the socket keeps its own.
// d <= 0 returns next unchanged.
func WriteTimeout(next http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), d: d}
		dw.extend(true)
		next.ServeHTTP(dw, r)
	})
}

// deadlineWriter moves the connection's write deadline as the response is written. To keep
// the cost of a write small it moves it at most every quarter of d, so the deadline stays
// between 3/4 d and d ahead of the last write.
type deadlineWriter struct {
	http.ResponseWriter
	rc  *http.ResponseController
	d   time.Duration
	set time.Time
}

func (w *deadlineWriter) extend(force bool) {
	now := time.Now()
	if !force && now.Sub(w.set) < w.d/4 {
		return
	}
	w.set = now
	_ = w.rc.SetWriteDeadline(now.Add(w.d))
}

// Write moves the deadline, then writes.
func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.extend(false)
	return w.ResponseWriter.Write(b)
}

// WriteHeader moves the deadline, then writes the header.
func (w *deadlineWriter) WriteHeader(code int) {
	w.extend(false)
	w.ResponseWriter.WriteHeader(code)
}

// Flush moves the deadline, then flushes what is buffered to the client.
func (w *deadlineWriter) Flush() {
	w.extend(false)
	_ = w.rc.Flush()
}

// Hijack hands the connection over (gorilla/websocket asserts http.Hijacker directly).
func (w *deadlineWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("netlimit: response writer cannot be hijacked")
	}
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
