// Package main is parley-chaos, Parley's fault suite (`make chaos`): it starts real processes (its
// own PostgreSQL through scripts/localpg, two `parley serve` on it, fake Twilio, Slack, SMTP and
// IMAP servers in this process, speaking their wire formats), drives load, injects faults and
// checks the promises in the database and at the fakes:
//
//	a. SIGKILL of one of two servers under load (API, chat sockets, signed Twilio webhooks,
//	   agent sockets and replies at once): every acknowledged message stored exactly once,
//	   visitors and agents back on the other server without gaps, the dead server's jobs
//	   finished by the survivor, every reply sent to Twilio exactly once, every new
//	   conversation routed once, its SLA clock started and assigned.
//	b. PostgreSQL stopped and started again mid-load: 503 with Retry-After while it is down,
//	   no hanging request, recovery without restarting the servers, nothing acknowledged lost.
//	c. Provider faults: Twilio 500 then 429 with Retry-After, Slack 429 ratelimited, SMTP 421
//	   and 451, an IMAP connection dropped mid-fetch: each delivered once, Retry-After honoured;
//	   Twilio 21610 and SMTP 550 marked failed with the reason and not retried.
//	d. Jobs that fail every time end discarded after their attempts and block no other job.
//
// It prints a table of figures per scenario (acknowledged, stored, lost, duplicated, longest
// unavailability) and the broken promises, and exits 1 when any promise is broken. Run it from
// the repository: `go run ./cmd/parley-chaos` (or `make chaos`); -keep keeps the logs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	keep := flag.Bool("keep", false, "keep the servers' logs and the cluster's folder after the run")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := run(ctx, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-chaos:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// run sets the stage up, runs the scenarios, checks them, prints the report and tears down.
func run(ctx context.Context, keep bool) (bool, error) {
	start := time.Now()
	h, err := setUp(ctx)
	ok := false
	if h != nil {
		defer func() { h.tearDown(keep, ok) }()
	}
	if err != nil {
		return false, err
	}
	fmt.Printf("parley-chaos: servers %s and %s on %s (logs in %s)\n", h.servers[0].url, h.servers[1].url, h.pg.url, h.dir)

	a := h.runKill(ctx)
	b := h.runRestart(ctx)
	c := h.runProviders(ctx)

	if ctx.Err() != nil {
		return false, fmt.Errorf("interrupted: %w", ctx.Err())
	}
	results := []*result{h.checkKill(ctx, a), h.checkRestart(ctx, b)}
	results = append(results, h.checkProviders(ctx, c)...)
	printReport(os.Stdout, results, time.Since(start))
	printLogFindings(os.Stdout, h.dir)
	ok = true
	for _, r := range results {
		ok = ok && len(r.broken) == 0
	}
	if !ok {
		fmt.Printf("parley-chaos: the servers' logs stay in %s\n", h.dir)
	}
	return ok, nil
}
