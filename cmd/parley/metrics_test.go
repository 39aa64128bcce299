package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/dbtest"
)

// TestMetricsConfig validates where /metrics is served: a listener address that is host:port and
// not the main one, a token long enough and without spaces.
func TestMetricsConfig(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", minMetricsToken)
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{"", "", true},
		{"127.0.0.1:9090", "", true},
		{":9090", long, true},
		{"", long, true},
		{"9090", "", false},
		{":8080", "", false}, // the main listener's own address
		{"", "short", false},
		{"", long[1:], false},
		{"", long + " x", false},
		{"", long + "\n", false},
	} {
		env := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_METRICS_ADDR": tc.addr, "PARLEY_METRICS_TOKEN": tc.token}
		c, err := loadConfig(func(k string) string { return env[k] })
		if tc.ok && (err != nil || c.MetricsAddr != tc.addr || c.MetricsToken != tc.token) {
			t.Errorf("addr %q token %q: %+v, %v", tc.addr, tc.token, c, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("addr %q token %q accepted, want an error", tc.addr, tc.token)
		}
	}
}

// freeAddr returns a loopback address with a port free at the time of asking.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// fetch sends GET url (with a bearer token when not empty), retrying while the server starts.
func fetch(t *testing.T, url, token string) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeMetricsListener serves with PARLEY_METRICS_ADDR and PARLEY_METRICS_TOKEN: the metrics
// listener serves /metrics to anyone who reaches it, the main listener only with the token.
func TestServeMetricsListener(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	if out, err := parley(t, map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn"}, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	token := strings.Repeat("t", minMetricsToken)
	metricsAddr := freeAddr(t)
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn", "PARLEY_METRICS_ADDR": metricsAddr,
		"PARLEY_METRICS_TOKEN": token}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveInBackground(t, env, ln)
	main := "http://" + ln.Addr().String()
	if st, _ := fetch(t, main+"/healthz", ""); st != http.StatusOK {
		t.Fatalf("healthz: %d", st)
	}
	if st, body := fetch(t, "http://"+metricsAddr+"/metrics", ""); st != http.StatusOK || !strings.Contains(body, "parley_http_request_duration_seconds") {
		t.Fatalf("metrics listener: %d %.500s", st, body)
	}
	if st, _ := fetch(t, main+"/metrics", ""); st != http.StatusUnauthorized {
		t.Errorf("main /metrics without the token: %d, want 401", st)
	}
	if st, _ := fetch(t, main+"/metrics", "wrong"); st != http.StatusUnauthorized {
		t.Errorf("main /metrics with a wrong token: %d, want 401", st)
	}
	if st, body := fetch(t, main+"/metrics", token); st != http.StatusOK || !strings.Contains(body, "parley_") {
		t.Errorf("main /metrics with the token: %d %.300s", st, body)
	}
}
