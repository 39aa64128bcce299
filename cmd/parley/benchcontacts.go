package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// benchContactsCmd is `parley bench contacts`: after VACUUM ANALYZE, it measures the contact list (its
// search, filters and deep keyset pages), the API list and the contact page at whatever size
// DATABASE_URL holds (seed one with `parley demo --conversations N`: one contact each), on an
// in-process server, and prints latency percentiles.
func benchContactsCmd(ctx context.Context, c *cli) error {
	fs := c.flags("bench contacts", "bench contacts [--requests N] [--concurrency C]")
	requests := fs.Int("requests", 400, "measured requests per page (after 20 warm-up requests)")
	conc := fs.Int("concurrency", 1, "concurrent clients")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if *requests < 1 || *conc < 1 {
		return errors.New("bench contacts: requests and concurrency must be positive")
	}
	stop, url, _, err := benchServer(ctx, c, false)
	if err != nil {
		return err
	}
	defer stop()
	a, err := open(ctx, c)
	if err != nil {
		return err
	}
	defer a.close()
	start := time.Now()
	if err := a.store.Analyze(ctx); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "VACUUM ANALYZE took %s\n", time.Since(start).Round(time.Millisecond))
	admin, err := a.store.AgentByEmail(ctx, "bench@parley.local")
	if err != nil {
		return err
	}
	agent, err := a.store.AgentByEmail(ctx, "agent01@bulk.example")
	if err != nil {
		return fmt.Errorf("bench contacts: seed first with `parley demo --conversations N`: %w", err)
	}
	adminCookie, err := benchSession(ctx, a.store, admin.ID)
	if err != nil {
		return err
	}
	agentCookie, err := benchSession(ctx, a.store, agent.ID)
	if err != nil {
		return err
	}
	newest, err := a.store.ListContacts(ctx, inbox.ContactQuery{Limit: 1})
	if err != nil || len(newest.Contacts) == 0 {
		return fmt.Errorf("bench contacts: no contacts; seed with `parley demo --conversations N` (%v)", err)
	}
	last := newest.Contacts[0].ID
	companies, err := a.store.Companies(ctx, "bulk company 1")
	if err != nil || len(companies) == 0 {
		return fmt.Errorf("bench contacts: no bulk companies; seed with this build's `parley demo --conversations N` (%v)", err)
	}
	company := strconv.FormatInt(companies[0].ID, 10)
	random := func() string { return strconv.FormatInt(1+rand.Int64N(last), 10) }
	pages := []struct {
		name, cookie string
		path         func() string
	}{
		{"list, first page (supervisor)", adminCookie, fixed("/contacts")},
		{"list, a deep page (random cursor)", adminCookie, func() string { return "/contacts?cursor=" + random() }},
		{"list, as an agent (their contacts)", agentCookie, fixed("/contacts")},
		{"search a name", adminCookie, fixed("/contacts?q=maria+lopez")},
		{"search an email prefix", adminCookie, func() string { return "/contacts?q=customer" + random() + "%40" }},
		{"search a company", adminCookie, fixed("/contacts?q=bulk+company+7")},
		{"filter tier gold", adminCookie, fixed("/contacts?tier=gold")},
		{"filter tag vip", adminCookie, fixed("/contacts?tag=vip")},
		{"filter company", adminCookie, fixed("/contacts?company=" + company)},
		{"filter sms, seen in 7 days", adminCookie, fixed("/contacts?channel=sms&seen=7")},
		{"API list, tier silver", adminCookie, fixed("/api/v1/contacts?tier=silver")},
		{"contact page (random)", adminCookie, func() string { return "/contacts/" + random() }},
	}
	fmt.Fprintf(c.stdout, "contact pages over %d contacts: %d requests each, %d concurrent\n", last, *requests, *conc)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	for _, p := range pages {
		lat, err := measure(ctx, client, url, p.cookie, p.path, *requests, *conc)
		if err != nil {
			return fmt.Errorf("bench contacts: %s: %w", p.name, err)
		}
		fmt.Fprintf(c.stdout, "  %-38s p50 %7s  p95 %7s  p99 %7s  max %7s\n", p.name,
			pct(lat, 50), pct(lat, 95), pct(lat, 99), lat[len(lat)-1].Round(10*time.Microsecond))
	}
	return nil
}
