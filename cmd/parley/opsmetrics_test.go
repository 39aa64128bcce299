package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestOperatorMetricsExistAndMove ingests a message and delivers a reply on a server process,
// then works its jobs: the inbound and outbound counters by channel and result, the ingest batch
// sizes, the queue depth and the job latencies by kind all appear on /metrics and move.
func TestOperatorMetricsExistAndMove(t *testing.T) {
	m := newMatrix(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const token = "matrix-metrics-token-0123456789"
	scrape := func() string {
		t.Helper()
		st, body := fetch(t, m.srv.URL+"/metrics", token)
		if st != 200 {
			t.Fatalf("/metrics: %d", st)
		}
		return body
	}
	before := scrape()
	for _, series := range []string{"parley_inbound_messages_total", "parley_outbound_messages_total", "parley_sla_events_total",
		"parley_open_sockets", "parley_webhook_deliveries_total", "parley_jobs_total"} {
		if strings.Contains(before, series+"{") {
			t.Errorf("%s has values before anything happened", series)
		}
	}
	res, err := m.a.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "metrics-1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "metrics@example.com"}, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.a.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "metrics-1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "metrics@example.com"}, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.a.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "hi back"}); err != nil {
		t.Fatal(err)
	}
	body := scrape()
	want := map[string]float64{
		`parley_inbound_messages_total{channel="api",result="stored"}`:    1,
		`parley_inbound_messages_total{channel="api",result="duplicate"}`: 1,
		`parley_ingest_batch_size_count`:                                  2,
	}
	for series, v := range want {
		if got := value(body, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
	if got := value(body, `parley_queue_jobs{kind="deliver",queue="deliver",state="available"}`); got != 1 {
		t.Errorf("deliver jobs waiting = %v, want 1", got)
	}

	if err := m.parts.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.parts.client.Stop(context.WithoutCancel(ctx)) }()
	deadline := time.Now().Add(30 * time.Second)
	// No webhook endpoint takes message.created, so the API channel's reply cannot leave
	// Parley: it fails, and is counted so.
	for {
		body = scrape()
		if value(body, `parley_outbound_messages_total{channel="api",result="failed"}`) == 1 &&
			value(body, `parley_job_run_seconds_count{kind="deliver"}`) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply's delivery was not counted:\n%s", grep(body, "parley_outbound|parley_job|parley_queue"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A permanent failure ends its job at once, cancelled: it is not retried.
	if value(body, `parley_jobs_total{kind="deliver",result="cancelled"}`) != 1 {
		t.Errorf("cancelled deliver jobs: %s", grep(body, "parley_jobs_total"))
	}
	if strings.Contains(body, `parley_queue_jobs{kind="deliver",queue="deliver",state="available"}`) {
		t.Errorf("the delivered job still counts as waiting")
	}
}

// value reads one series' value from a Prometheus text exposition (-1 when absent).
func value(body, series string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// grep keeps the lines of body that match pattern.
func grep(body, pattern string) string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if re.MatchString(line) && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
