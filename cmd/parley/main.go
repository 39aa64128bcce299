// Package main is the parley command, the omnichannel customer-service hub: one binary that
// serves the API, the agent inbox and the channels' webhooks, works the background jobs, and
// administers the data. Run `parley -h` for the verbs.
//
// It parses the configuration once and wires the parts, holding no logic of its own: open
// builds the store and its job enqueuer; `parley serve` (serve.go) opens every channel of
// channelList (channels.go) with the same channels.Env, in one loop, and gives what they offer
// to the workflow's River client (their senders, fetchers, alerter, workers, periodic jobs and
// queues) and to the web server (their routes); `parley inbox add KIND` hands the kind's flags
// to that channel's AddInbox.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}
