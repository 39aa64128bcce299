package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// benchInboxCmd is `parley bench inbox`: it measures the agent inbox's pages (the list in its
// views and filters, a conversation page, search) at whatever size DATABASE_URL holds (seed one
// with `parley demo --conversations N`), on an in-process server, and prints latency percentiles.
func benchInboxCmd(ctx context.Context, c *cli) error {
	fs := c.flags("bench inbox", "bench inbox [--requests N] [--concurrency C]")
	requests := fs.Int("requests", 400, "measured requests per page (after 20 warm-up requests)")
	conc := fs.Int("concurrency", 1, "concurrent clients")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if *requests < 1 || *conc < 1 {
		return errors.New("bench inbox: requests and concurrency must be positive")
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
	admin, err := a.store.AgentByEmail(ctx, "bench@parley.local")
	if err != nil {
		return err
	}
	agent, err := a.store.AgentByEmail(ctx, "agent01@bulk.example")
	if err != nil {
		return fmt.Errorf("bench inbox: seed first with `parley demo --conversations N`: %w", err)
	}
	adminCookie, err := benchSession(ctx, a.store, admin.ID)
	if err != nil {
		return err
	}
	agentCookie, err := benchSession(ctx, a.store, agent.ID)
	if err != nil {
		return err
	}
	last, err := lastConversation(ctx, a.store)
	if err != nil {
		return err
	}
	pages := []struct {
		name, cookie string
		path         func() string
	}{
		{"inbox, all active (supervisor view)", adminCookie, fixed("/inbox")},
		{"inbox, unassigned, rows only", adminCookie, fixed("/inbox?view=unassigned&partial=rows")},
		{"inbox, mine (agent)", agentCookie, fixed("/inbox?view=mine")},
		{"inbox, all visible to an agent", agentCookie, fixed("/inbox?view=all&partial=rows")},
		{"inbox, resolved email", adminCookie, fixed("/inbox?status=resolved&channel=email&partial=rows")},
		{"conversation page (random of all)", adminCookie, func() string { return "/inbox/" + strconv.FormatInt(1+rand.Int64N(last), 10) }},
		{"search an order number", adminCookie, func() string {
			return "/inbox?status=any&partial=rows&q=" + strconv.FormatInt(100000+1+rand.Int64N(last), 10)
		}},
		{"search a name", adminCookie, fixed("/inbox?q=maria+lopez&partial=rows")},
	}
	fmt.Fprintf(c.stdout, "inbox pages over %d conversations: %d requests each, %d concurrent\n", last, *requests, *conc)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	for _, p := range pages {
		lat, err := measure(ctx, client, url, p.cookie, p.path, *requests, *conc)
		if err != nil {
			return fmt.Errorf("bench inbox: %s: %w", p.name, err)
		}
		fmt.Fprintf(c.stdout, "  %-38s p50 %7s  p95 %7s  p99 %7s  max %7s\n", p.name,
			pct(lat, 50), pct(lat, 95), pct(lat, 99), lat[len(lat)-1].Round(10*time.Microsecond))
	}
	return nil
}

func fixed(p string) func() string { return func() string { return p } }

func benchSession(ctx context.Context, store *inbox.Store, agentID int64) (string, error) {
	token, _, err := store.CreateSession(ctx, agentID, time.Hour, "parley bench")
	if err != nil {
		return "", err
	}
	return "parley_session=" + token, nil
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

// measure sends warm-up then n requests from conc clients and returns the sorted latencies.
func measure(ctx context.Context, client *http.Client, base, cookie string, path func() string, n, conc int) ([]time.Duration, error) {
	get := func() (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path(), nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Cookie", cookie)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s: status %d", req.URL.Path, resp.StatusCode)
		}
		return took, nil
	}
	for i := 0; i < 20; i++ {
		if _, err := get(); err != nil {
			return nil, err
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	jobs := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				d, err := get()
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	slices.Sort(lat)
	return lat, nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(10 * time.Microsecond)
}
