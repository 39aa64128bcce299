package web

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parleyhq/parley/internal/httperr"
)

// metrics are the Prometheus series the web layer keeps; the rest of what an operator graphs
// (messages in and out, jobs, SLA, visitor sockets) is internal/meter's, on the same registry.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	sockets  prometheus.Gauge
	dropped  prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "status"}),
		sockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_event_sockets", Help: "Agent event WebSockets open.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_event_sockets_dropped_total", Help: "Agent sockets closed for falling behind.",
		}),
	}
	reg.MustRegister(m.requests, m.sockets, m.dropped)
	// A registry shared by several servers in one process (tests) registers the runtime once.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// MetricsHandler serves the Prometheus metrics to anyone who reaches it: for a listener of its
// own (PARLEY_METRICS_ADDR) that only the monitoring network reaches.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler())
	return mux
}

// metricsRoute mounts GET /metrics on the main listener, which the public reaches, only with a
// token: it then answers only requests bearing it (401 otherwise). Without a token the route
// does not exist (404), so the metrics are not public by default.
func (s *Server) metricsRoute(m *router, token string) {
	if token == "" {
		return
	}
	want := sha256.Sum256([]byte(token))
	serve := s.metrics.handler()
	m.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Both sides are hashed to one length, so the comparison takes the same time whatever
		// the token sent, its length included.
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			httperr.Write(w, http.StatusUnauthorized, "unauthorized", "a valid metrics token is required")
			return
		}
		serve.ServeHTTP(w, r)
	})
}

// instrument records every request's latency under its route pattern (not its raw path, so
// ids do not explode the series).
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status a handler wrote. It unwraps for http.ResponseController,
// so WebSocket upgrades still reach the connection.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (gorilla/websocket asserts http.Hijacker directly).
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("web: response writer cannot be hijacked")
	}
	w.status = http.StatusSwitchingProtocols
	return h.Hijack()
}
