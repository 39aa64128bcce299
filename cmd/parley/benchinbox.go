package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/parleyhq/parley/inbox"
)

// benchInboxCmd is `parley bench inbox`: it measures the agent inbox's pages (the list in its
// views and filters, a conversation page, search) at whatever size DATABASE_URL holds (seed one
// with `parley demo --conversations N`), on an in-process server, and prints latency percentiles.
func benchInboxCmd(ctx context.Context, c *cli) error {
	b, err := startPageBench(ctx, c, "bench inbox")
	if err != nil {
		return err
	}
	defer b.close()
	agentCookie, err := b.session(ctx, "agent01@bulk.example")
	if err != nil {
		return err
	}
	last, err := lastConversation(ctx, b.app.store)
	if err != nil {
		return err
	}
	admin := b.admin
	pages := []benchPage{
		{"inbox, all active (supervisor view)", admin, fixed("/inbox")},
		{"inbox, unassigned, rows only", admin, fixed("/inbox?view=unassigned&partial=rows")},
		{"inbox, mine (agent)", agentCookie, fixed("/inbox?view=mine")},
		{"inbox, all visible to an agent", agentCookie, fixed("/inbox?view=all&partial=rows")},
		{"inbox, resolved email", admin, fixed("/inbox?status=resolved&channel=email&partial=rows")},
		{"conversation page (random of all)", admin, func() string { return "/inbox/" + strconv.FormatInt(1+rand.Int64N(last), 10) }},
		{"search an order number", admin, func() string {
			return "/inbox?status=any&partial=rows&q=" + strconv.FormatInt(100000+1+rand.Int64N(last), 10)
		}},
		{"search a name", admin, fixed("/inbox?q=maria+lopez&partial=rows")},
	}
	fmt.Fprintf(c.stdout, "inbox pages over %d conversations: %d requests each, %d concurrent\n", last, b.requests, b.conc)
	return b.run(ctx, c.stdout, pages)
}

// lastConversation finds the highest conversation id by bisection (ids are dense when seeded).
func lastConversation(ctx context.Context, store *inbox.Store) (int64, error) {
	lo, hi := int64(0), int64(1)
	exists := func(id int64) (bool, error) {
		_, err := store.GetConversation(ctx, id)
		if errors.Is(err, inbox.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0, errors.New("bench inbox: no conversations; seed with `parley demo --conversations N`")
	}
	return lo, nil
}
