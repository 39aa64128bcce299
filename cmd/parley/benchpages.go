package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// benchPage is one page a page bench times: its name, the session cookie it is asked with and
// a function giving each request's address.
type benchPage struct {
	name, cookie string
	path         func() string
}

// pageBench is what `parley bench inbox` and `parley bench contacts` share: their flags, an
// in-process server on DATABASE_URL, the store, and a session of the bench admin.
type pageBench struct {
	name           string // "bench inbox", for messages
	requests, conc int
	url            string
	app            *app
	admin          string // the bench admin's session cookie
	stop           func()
}

// startPageBench parses the flags of the page bench name ("bench contacts"), starts the
// server and signs the bench admin in. Close it when done.
func startPageBench(ctx context.Context, c *cli, name string) (*pageBench, error) {
	fs := c.flags(name, name+" [--requests N] [--concurrency C]")
	requests := fs.Int("requests", 400, "measured requests per page (after 20 warm-up requests)")
	conc := fs.Int("concurrency", 1, "concurrent clients")
	if err := fs.Parse(c.args); err != nil {
		return nil, err
	}
	if *requests < 1 || *conc < 1 {
		return nil, fmt.Errorf("%s: requests and concurrency must be positive", name)
	}
	b := &pageBench{name: name, requests: *requests, conc: *conc}
	stop, url, _, err := benchServer(ctx, c, false)
	if err != nil {
		return nil, err
	}
	b.url = url
	if b.app, err = open(ctx, c); err != nil {
		stop()
		return nil, err
	}
	b.stop = func() { b.app.close(); stop() }
	if b.admin, err = b.session(ctx, "bench@parley.local"); err != nil {
		b.stop()
		return nil, err
	}
	return b, nil
}

// analyze runs VACUUM ANALYZE, so the planner sees the seeded data, and prints how long it took.
func (b *pageBench) analyze(ctx context.Context, out io.Writer) error {
	start := time.Now()
	if err := b.app.store.Analyze(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "VACUUM ANALYZE took %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// close stops the server and closes the store.
func (b *pageBench) close() { b.stop() }

// session signs in the agent of email for an hour and returns the session cookie. A missing
// bulk agent means the database was not seeded.
func (b *pageBench) session(ctx context.Context, email string) (string, error) {
	ag, err := b.app.store.AgentByEmail(ctx, email)
	if err != nil {
		return "", fmt.Errorf("%s: seed first with `parley demo --conversations N`: %w", b.name, err)
	}
	return benchSession(ctx, b.app.store, ag.ID)
}

// run times every page in turn and prints a line of percentiles for each.
func (b *pageBench) run(ctx context.Context, out io.Writer, pages []benchPage) error {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: b.conc}}
	for _, p := range pages {
		lat, err := measure(ctx, client, b.url, p.cookie, p.path, b.requests, b.conc)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", b.name, p.name, err)
		}
		fmt.Fprintf(out, "  %-44s p50 %7s  p95 %7s  p99 %7s  max %7s\n", p.name,
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
