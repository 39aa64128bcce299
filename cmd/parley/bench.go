package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/migrations"
)

// benchCmd is `parley bench ingest`: it drives POST /api/v1/inbound over HTTP with N concurrent
// clients for a duration and prints messages/s and latency percentiles. Without --url it
// starts a complete server in-process (HTTP, event feed, job workers) on DATABASE_URL.
func benchCmd(ctx context.Context, c *cli) error {
	what, err := c.sub("bench", "ingest", "inbox", "contacts", "sockets", "reports", "sla")
	if err != nil {
		return err
	}
	switch what {
	case "sockets":
		return benchSocketsCmd(ctx, c)
	case "inbox":
		return benchInboxCmd(ctx, c)
	case "contacts":
		return benchContactsCmd(ctx, c)
	case "reports":
		return benchReportsCmd(ctx, c)
	case "sla":
		return benchSLACmd(ctx, c)
	}
	fs := c.flags("bench ingest", "bench ingest [--url U --token T] [--concurrency N] [--duration D] [--contacts K | --new]\n\n"+
		"Secrets: --token (with --url). "+channels.StdinSecretsHelp)
	url := fs.String("url", "", "a running server's base URL (default: start one in-process on DATABASE_URL)")
	token := fs.String("token", "", "an API token for --url (-: read from stdin)")
	conc := fs.Int("concurrency", 16, "concurrent clients")
	dur := fs.Duration("duration", 20*time.Second, "how long to measure (after a 2 s warm-up)")
	contacts := fs.Int("contacts", 5000, "distinct customers the messages come from")
	fresh := fs.Bool("new", false, "every message from a new customer (a new contact and conversation each), instead of --contacts returning ones")
	work := fs.Bool("jobs", true, "in-process server only: also work the jobs the messages cause (false: they are committed and wait, or another process on the same database works them)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole process to this file")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if *url != "" {
		if err := channels.ReadSecrets(c.stdin, channels.SecretFlag{Name: "token", Value: token}); err != nil {
			return fmt.Errorf("bench ingest: %w", err)
		}
	}
	if *conc < 1 || *contacts < 1 || *dur <= 0 {
		return errors.New("bench ingest: concurrency, contacts and duration must be positive")
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var a *app
	if *url == "" {
		var stop func()
		a, stop, *url, *token, err = benchApp(ctx, c, !*work)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *fresh {
		*contacts = 0
	}
	// New customers on a server of its own: the bench also times each new conversation from its
	// commit to its assignment, seen on an admin's event socket, whichever process works the
	// jobs (with --jobs=false, another `parley serve` on the same database may).
	var watch *assignWatch
	if a != nil && *fresh {
		if err := prepareAssignment(ctx, a, *url, *token); err != nil {
			return err
		}
		if watch, err = watchAssignments(ctx, *url, *token); err != nil {
			return err
		}
	}
	var posted func([]byte)
	if watch != nil {
		posted = watch.posted
	}
	r, err := benchIngestEach(ctx, *url, *token, *conc, *contacts, *dur, posted)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "ingest: %d messages in %s with %d clients: %.0f messages/s, p50 %s, p99 %s, max %s, %d errors\n",
		r.n, r.elapsed.Round(time.Millisecond), *conc, float64(r.n)/r.elapsed.Seconds(),
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond), r.errors)
	if a != nil && (*work || *fresh) {
		if err := printWorkflowBacklog(ctx, c, a); err != nil {
			return err
		}
	}
	if watch != nil {
		p50, p99, slowest, n, missing := watch.report(30 * time.Second)
		fmt.Fprintf(c.stdout, "commit to conversation.assigned on an agent socket: %d new conversations, p50 %s, p99 %s, max %s; %d not assigned 30 s after the run\n",
			n, p50.Round(time.Millisecond), p99.Round(time.Millisecond), slowest.Round(time.Millisecond), missing)
	}
	if r.errors > 0 {
		return fmt.Errorf("bench ingest: %d requests failed (first: %v)", r.errors, r.firstErr)
	}
	return nil
}

// printWorkflowBacklog prints the jobs the messages caused that still wait at the end of the
// run (not yet worked or being worked), by kind: what the workflow has not kept up with.
func printWorkflowBacklog(ctx context.Context, c *cli, a *app) error {
	rows, err := a.pool.Query(ctx, `SELECT kind, count(*) FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'pending') AND kind IN ('triage', 'route', 'sla_compute', 'assign', 'assign_waiting')
		GROUP BY kind ORDER BY kind`)
	if err != nil {
		return fmt.Errorf("bench ingest: backlog: %w", err)
	}
	var total int64
	var by []string
	for rows.Next() {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return fmt.Errorf("bench ingest: backlog: %w", err)
		}
		total += n
		by = append(by, fmt.Sprintf("%s %d", kind, n))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bench ingest: backlog: %w", err)
	}
	// A triage job covers every conversation of a change, so jobs alone understate the work:
	// the conversations themselves tell what waits.
	var unrouted, unassigned int64
	if err := a.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE routed_at IS NULL),
			count(*) FILTER (WHERE routed_at IS NOT NULL AND assignee_id IS NULL AND team_id IS NOT NULL
				AND status IN ('new', 'open', 'pending'))
		FROM conversations`).Scan(&unrouted, &unassigned); err != nil {
		return fmt.Errorf("bench ingest: backlog: %w", err)
	}
	fmt.Fprintf(c.stdout, "workflow backlog at the end: %d jobs %v; %d conversations not yet routed, %d routed and waiting for an agent\n",
		total, by, unrouted, unassigned)
	return nil
}

// benchServer starts a full parley server in-process and an agent token for it.
func benchServer(ctx context.Context, c *cli, noJobs bool) (stop func(), url, token string, err error) {
	_, stop, url, token, err = benchApp(ctx, c, noJobs)
	return stop, url, token, err
}

// benchApp is benchServer that also returns the server's app, for a bench that seeds its data.
func benchApp(ctx context.Context, c *cli, noJobs bool) (_ *app, stop func(), url, token string, err error) {
	a, err := open(ctx, c)
	if err != nil {
		return nil, nil, "", "", err
	}
	a.noJobs = noJobs
	if _, err := migrations.Apply(ctx, a.pool); err != nil {
		a.close()
		return nil, nil, "", "", err
	}
	agent, err := a.store.AgentByEmail(ctx, "bench@parley.local")
	if errors.Is(err, inbox.ErrNotFound) {
		agent, err = a.store.CreateAgent(ctx, inbox.NewAgent{Email: "bench@parley.local", Name: "Bench", Role: inbox.RoleAdmin, Password: randomPassword()})
	}
	if err == nil {
		token, err = a.store.CreateToken(ctx, agent.ID, "bench")
	}
	if err != nil {
		a.close()
		return nil, nil, "", "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.close()
		return nil, nil, "", "", err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.serve(sctx, ln); err != nil {
			fmt.Fprintln(c.stderr, "bench server:", err)
		}
	}()
	return a, func() { cancel(); <-done; a.close() }, "http://" + ln.Addr().String(), token, nil
}

type benchResult struct {
	n, errors     int64
	elapsed       time.Duration
	p50, p99, max time.Duration
	firstErr      error
}

// benchIngestEach is benchIngest that hands every answer's body to posted (when not nil), from
// the clients' goroutines, warm-up included. With contacts 0 every message comes from a new
// customer.
func benchIngestEach(ctx context.Context, url, token string, conc, contacts int, dur time.Duration, posted func([]byte)) (benchResult, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	run := make([]byte, 4)
	_, _ = crand.Read(run)
	prefix := "bench-" + hex.EncodeToString(run)
	var seq atomic.Int64
	var res benchResult
	var errOnce sync.Once
	var mu sync.Mutex
	var lat []time.Duration

	warm := time.Now().Add(2 * time.Second)
	end := warm.Add(dur)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil && time.Now().Before(end) {
				n := seq.Add(1)
				body, _ := json.Marshal(map[string]any{
					"external_id": fmt.Sprintf("%s-%d", prefix, n),
					"contact":     map[string]string{"email": benchCustomer(prefix, n, contacts)},
					"subject":     "Where is my order?",
					"text":        "Hello, my order has not arrived yet. Could you check on it please?",
				})
				start := time.Now()
				answer, err := post(ctx, client, url+"/api/v1/inbound", token, body)
				took := time.Since(start)
				if err == nil && posted != nil {
					posted(answer)
				}
				if start.Before(warm) {
					continue
				}
				if err != nil {
					atomic.AddInt64(&res.errors, 1)
					errOnce.Do(func() { res.firstErr = err })
					continue
				}
				mine = append(mine, took)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = dur
	res.n = int64(len(lat))
	p := percentiles(lat)
	res.p50, res.p99, res.max = p[0], p[1], p[2]
	return res, ctx.Err()
}

// benchCustomer is the address of message n's customer: one of contacts returning ones, or
// with contacts 0 a new one.
func benchCustomer(prefix string, n int64, contacts int) string {
	if contacts == 0 {
		return fmt.Sprintf("%s-new%d@bench.example", prefix, n)
	}
	return fmt.Sprintf("customer%d@bench.example", rand.IntN(contacts))
}

func post(ctx context.Context, client *http.Client, url, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return answer, nil
}

// startCPUProfile starts a CPU profile into file, if one is named; stop ends it.
func startCPUProfile(file string) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
