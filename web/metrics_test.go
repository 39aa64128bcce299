package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// dblessServer is a server with no database behind it: enough for the health, metrics and
// header checks, which never reach one.
func dblessServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Registry = prometheus.NewRegistry()
	cfg.Logger = testLogger(t)
	return New(cfg)
}

// rawGet sends GET path to h with an Authorization header (when not empty).
func rawGet(t *testing.T, h http.Handler, path, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestMetricsAreNotPublicByDefault: without a token the main listener has no /metrics (404,
// whatever the request carries), while the handler for a metrics listener of its own serves
// them, including the requests the main listener answered.
func TestMetricsAreNotPublicByDefault(t *testing.T) {
	t.Parallel()
	s := dblessServer(t, Config{})
	h := s.Handler()
	for _, auth := range []string{"", "Bearer ", "Bearer anything"} {
		if w := rawGet(t, h, "/metrics", auth); w.Code != http.StatusNotFound {
			t.Errorf("GET /metrics with %q on the main listener: %d, want 404", auth, w.Code)
		}
	}
	if w := rawGet(t, h, "/healthz", ""); w.Code != http.StatusOK {
		t.Fatalf("healthz: %d", w.Code)
	}
	w := rawGet(t, s.MetricsHandler(), "/metrics", "")
	body, _ := io.ReadAll(w.Body)
	if w.Code != http.StatusOK || !strings.Contains(string(body), `parley_http_request_duration_seconds_count{route="GET /healthz",status="200"} 1`) {
		t.Fatalf("metrics listener: %d\n%.2000s", w.Code, body)
	}
	if w := rawGet(t, s.MetricsHandler(), "/inbox", ""); w.Code != http.StatusNotFound {
		t.Errorf("the metrics listener serves /inbox: %d", w.Code)
	}
}

// TestMetricsToken: with PARLEY_METRICS_TOKEN the main listener serves /metrics to a request
// bearing exactly that token, and refuses a missing, wrong, shortened, lengthened or
// differently-schemed one with 401 and a Bearer challenge.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	const token = "metrics-token-0123456789abcdef"
	h := dblessServer(t, Config{MetricsToken: token}).Handler()
	for _, auth := range []string{"", "Bearer", "Bearer ", "Bearer wrong", "Bearer " + token[:len(token)-1],
		"Bearer " + token + "x", "bearer " + token, "Basic " + token, token} {
		w := rawGet(t, h, "/metrics", auth)
		if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("GET /metrics with %q: %d %v, want 401 with a Bearer challenge", auth, w.Code, w.Header())
		}
		if strings.Contains(w.Body.String(), "parley_") {
			t.Errorf("GET /metrics with %q leaked metrics", auth)
		}
	}
	w := rawGet(t, h, "/metrics", "Bearer "+token)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "parley_http_request_duration_seconds") {
		t.Fatalf("GET /metrics with the token: %d\n%.1000s", w.Code, w.Body.String())
	}
}

// TestHSTS: an https public URL puts Strict-Transport-Security on every response (a page, an
// API error, a 404, a refused /metrics); an http one, or none, puts it on none.
func TestHSTS(t *testing.T) {
	t.Parallel()
	paths := []string{"/healthz", "/login", "/nowhere", "/api/v1/me", "/metrics"}
	secure := dblessServer(t, Config{PublicURL: "https://help.example.com", MetricsToken: "metrics-token-0123456789abcdef"}).Handler()
	for _, p := range paths {
		if got := rawGet(t, secure, p, "").Header().Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
			t.Errorf("https: %s: Strict-Transport-Security %q", p, got)
		}
	}
	for _, public := range []string{"http://localhost:8080", ""} {
		h := dblessServer(t, Config{PublicURL: public}).Handler()
		for _, p := range paths {
			if got := rawGet(t, h, p, "").Header().Get("Strict-Transport-Security"); got != "" {
				t.Errorf("public URL %q: %s: Strict-Transport-Security %q, want none", public, p, got)
			}
		}
	}
}
