package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
)

// minSocketsForMemory is the fewest held sockets whose memory `bench sockets` reports per
// socket: fewer weigh less than the heap's swing between two readings (20 read as -1.6 KB).
const minSocketsForMemory = 500

// benchSocketsCmd is `parley bench sockets`: it holds N agent event sockets on an in-process
// server (their clients run in a child process, so the server's memory per socket is its own),
// then posts returning customers' messages as `bench ingest` does, and reports the ingest rate,
// request latency, each socket's share of the events and their delivery latency.
func benchSocketsCmd(ctx context.Context, c *cli) error {
	fs := c.flags("bench sockets", "bench sockets [--sockets N] [--teams T] [--concurrency C] [--duration D] [--contacts K] [--jobs]\n\n"+
		"Starts a server in-process on DATABASE_URL (use an empty database, and PARLEY_PASSWORD_COST=4 to create the agents quickly).")
	n := fs.Int("sockets", 2000, "agent event sockets to hold")
	teams := fs.Int("teams", 0, "0: every socket is a supervisor's and sees every event; T: the sockets are agents spread over T teams, each customer's conversation in one of them")
	conc := fs.Int("concurrency", 8, "concurrent posting clients")
	dur := fs.Duration("duration", 20*time.Second, "how long to measure (after a 2 s warm-up)")
	contacts := fs.Int("contacts", 1000, "distinct customers, each with a conversation before the sockets open")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process (the server) while the messages are posted to this file")
	memprofile := fs.String("memprofile", "", "write heap profiles of this process (the server) to FILE.before and FILE.held, taken just before the sockets open and once they are held (compare with go tool pprof -base FILE.before FILE.held)")
	jobs := fs.Bool("jobs", false, "also work the jobs the messages cause (the SLA clocks they move) in the server's process")
	dial := fs.String("dial", "", "internal: be the socket clients of this server")
	tokens := fs.String("tokens", "", "internal: the socket clients' tokens, one a line")
	if err := fs.Parse(c.args); err != nil {
		return err
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 4 << 10 // fine enough to see a few hundred bytes a socket
	}
	if *dial != "" {
		return benchSocketClients(ctx, c, *dial, *tokens)
	}
	if *n < 1 || *teams < 0 || *conc < 1 || *contacts < 1 || *dur <= 0 {
		return errors.New("bench sockets: sockets, concurrency, contacts and duration must be positive, teams at least 0")
	}
	if err := raiseOpenFiles(*n + 1000); err != nil {
		return fmt.Errorf("bench sockets: %w", err)
	}
	a, stop, url, token, err := benchApp(ctx, c, !*jobs)
	if err != nil {
		return err
	}
	defer stop()
	teamOf, err := benchSeedConversations(ctx, a, url, token, *contacts, *teams)
	if err != nil {
		return err
	}
	file, err := benchSocketAgents(ctx, a, *n, *teams)
	if err != nil {
		return err
	}
	defer os.Remove(file)

	// The connect storm below opens every connection the pool may hold (each with its own
	// buffers and statement cache), a cost of the process, not of its sockets: open them first,
	// so that the memory measured per socket is the sockets' own.
	if err := fillPool(ctx, a.pool); err != nil {
		return err
	}
	var before runtime.MemStats
	gcAndRead(&before)
	if err := writeHeapProfile(*memprofile, ".before"); err != nil {
		return err
	}
	goroutines := runtime.NumGoroutine()
	child := exec.CommandContext(ctx, os.Args[0], "bench", "sockets", "--dial", "ws"+strings.TrimPrefix(url, "http")+"/api/v1/events", "--tokens", file)
	child.Stderr = c.stderr
	ask, err := child.StdinPipe()
	if err != nil {
		return err
	}
	out, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return err
	}
	defer func() { _ = ask.Close(); _ = child.Wait() }()
	answers := bufio.NewScanner(out)
	answers.Buffer(nil, 1<<20)
	if !answers.Scan() || answers.Text() != "ready" {
		return fmt.Errorf("bench sockets: the socket process said %q (%v)", answers.Text(), answers.Err())
	}
	time.Sleep(2 * time.Second) // let the last handshakes settle
	var held runtime.MemStats
	gcAndRead(&held)
	if err := writeHeapProfile(*memprofile, ".held"); err != nil {
		return err
	}
	per := func(after, before uint64) float64 { return float64(int64(after)-int64(before)) / float64(*n) / 1024 }
	if *n < minSocketsForMemory {
		// A few sockets weigh less than the heap's own swing between two readings.
		fmt.Fprintf(c.stdout, "held %d idle sockets (too few for a figure of memory per socket: hold %d or more)\n", *n, minSocketsForMemory)
	} else {
		fmt.Fprintf(c.stdout, "held %d idle sockets: %.1f KB each (heap %.1f KB, stacks %.1f KB), %.2f goroutines each\n", *n,
			per(held.HeapInuse+held.StackInuse, before.HeapInuse+before.StackInuse), per(held.HeapInuse, before.HeapInuse),
			per(held.StackInuse, before.StackInuse), float64(runtime.NumGoroutine()-goroutines)/float64(*n))
	}

	var perTeam sync.Map // team index -> *atomic.Int64; -1 counts them all
	count := func(team int) {
		v, _ := perTeam.LoadOrStore(team, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	r, err := benchIngestEach(ctx, url, token, *conc, *contacts, *dur, func(answer []byte) {
		var got struct {
			ConversationID int64 `json:"conversation_id"`
		}
		if json.Unmarshal(answer, &got) == nil {
			count(-1)
			if *teams > 0 {
				count(teamOf(got.ConversationID))
			}
		}
	})
	stopProfile()
	if err != nil {
		return err
	}
	expected := func(socket int) int64 {
		team := -1
		if *teams > 0 {
			team = socket % *teams
		}
		v, ok := perTeam.Load(team)
		if !ok {
			return 0
		}
		return v.(*atomic.Int64).Load()
	}
	// Every socket should see every message of its audience: ask until they have, for 15 s.
	var rep socketReport
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(time.Second) {
		if rep, err = askReport(ask, answers); err != nil {
			return err
		}
		if rep.short(expected) == 0 || time.Now().After(deadline) {
			break
		}
	}
	fmt.Fprintf(c.stdout, "ingest: %d messages in %s with %d clients: %.0f messages/s, p50 %s, p99 %s, max %s, %d errors\n",
		r.n, r.elapsed.Round(time.Millisecond), *conc, float64(r.n)/r.elapsed.Seconds(),
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond), r.errors)
	all := int64(0)
	if v, ok := perTeam.Load(-1); ok {
		all = v.(*atomic.Int64).Load()
	}
	fmt.Fprintf(c.stdout, "sockets: %d of %d received every message.created of their audience (%d posted in all; %d events delivered)\n",
		*n-rep.short(expected), *n, all, rep.total())
	fmt.Fprintf(c.stdout, "delivery (event time to arrival, %d events on sampled sockets): p50 %s, p99 %s, max %s\n",
		rep.samples, rep.p50.Round(100*time.Microsecond), rep.p99.Round(100*time.Microsecond), rep.max.Round(100*time.Microsecond))
	if r.errors > 0 {
		return fmt.Errorf("bench sockets: %d requests failed (first: %v)", r.errors, r.firstErr)
	}
	return nil
}

// fillPool makes pool open as many connections as it may hold, each used once for a query that
// returns a row (pgx allocates a connection's row buffers on its first such query).
func fillPool(ctx context.Context, pool *pgxpool.Pool) error {
	var wg sync.WaitGroup
	errs := make(chan error, pool.Config().MaxConns)
	for range pool.Config().MaxConns {
		wg.Go(func() {
			var one int
			if err := pool.QueryRow(ctx, "SELECT 1 FROM pg_sleep(0.1)").Scan(&one); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("bench sockets: fill the pool: %w", err)
	}
	return nil
}

func gcAndRead(m *runtime.MemStats) {
	for range 3 { // idle goroutine stacks shrink by half per collection
		runtime.GC()
	}
	runtime.ReadMemStats(m)
}

// writeHeapProfile writes the heap profile as of the last collection to file+suffix; nothing
// when file is empty.
func writeHeapProfile(file, suffix string) error {
	if file == "" {
		return nil
	}
	f, err := os.Create(file + suffix)
	if err != nil {
		return fmt.Errorf("bench sockets: heap profile: %w", err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return fmt.Errorf("bench sockets: heap profile: %w", err)
	}
	return f.Close()
}

// raiseOpenFiles lifts the soft limit on open files to at least want (up to the hard limit);
// the socket process inherits it.
func raiseOpenFiles(want int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= uint64(want) {
		return nil
	}
	lim.Cur = min(uint64(want), lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < uint64(want) {
		return fmt.Errorf("open files limited to %d, need %d: %v", lim.Cur, want, err)
	}
	return nil
}

// benchSeedConversations gives each of the contacts a conversation (one message each, through
// the API), so that the measured messages are returning customers'. With teams, the
// conversations are spread over that many new teams; teamOf tells a conversation's team index.
func benchSeedConversations(ctx context.Context, a *app, url, token string, contacts, teams int) (teamOf func(int64) int, err error) {
	client := &http.Client{Timeout: 30 * time.Second}
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(contacts) && failed.Load() == nil; i = next.Add(1) - 1 {
				body, _ := json.Marshal(map[string]any{
					"external_id": fmt.Sprintf("seed-%d-%d", time.Now().UnixNano(), i),
					"contact":     map[string]string{"email": fmt.Sprintf("customer%d@bench.example", i)},
					"text":        "Hello, I have a question about my order.",
				})
				if _, err := post(ctx, client, url+"/api/v1/inbound", token, body); err != nil {
					failed.Store(&err)
				}
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return nil, fmt.Errorf("bench sockets: seed: %w", *p)
	}
	if teams == 0 {
		return func(int64) int { return -1 }, nil
	}
	ids := make([]int64, teams)
	for i := range ids {
		t, err := a.store.CreateTeam(ctx, fmt.Sprintf("Bench team %d %d", time.Now().UnixNano(), i), nil)
		if err != nil {
			return nil, err
		}
		ids[i] = t.ID
	}
	if _, err := a.pool.Exec(ctx, "UPDATE conversations SET team_id = ($1::bigint[])[1 + id % $2]", ids, teams); err != nil {
		return nil, fmt.Errorf("bench sockets: spread conversations over teams: %w", err)
	}
	return func(conv int64) int { return int(conv % int64(teams)) }, nil
}

// benchSocketAgents creates n agents (supervisors, or with teams members of team i%teams, in
// the order of benchSeedConversations' teams) and a token for each, written one a line to a
// temporary file whose name it returns.
func benchSocketAgents(ctx context.Context, a *app, n, teams int) (string, error) {
	var teamIDs []int64
	if teams > 0 {
		rows, err := a.pool.Query(ctx, "SELECT id FROM teams WHERE name LIKE 'Bench team %' ORDER BY id DESC LIMIT $1", teams)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return "", err
			}
			teamIDs = append([]int64{id}, teamIDs...)
		}
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	run := time.Now().UnixNano()
	tokens := make([]string, n)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n) && failed.Load() == nil; i = next.Add(1) - 1 {
				role := inbox.RoleSupervisor
				if teams > 0 {
					role = inbox.RoleAgent
				}
				ag, err := a.store.CreateAgent(ctx, inbox.NewAgent{Email: fmt.Sprintf("sock%d-%d@bench.local", run, i),
					Name: fmt.Sprintf("Socket %d", i), Role: role, Password: randomPassword()})
				if err == nil && teams > 0 {
					err = a.store.AddTeamMember(ctx, teamIDs[int(i)%teams], ag.ID)
				}
				if err == nil {
					tokens[i], err = a.store.CreateToken(ctx, ag.ID, "bench sockets")
				}
				if err != nil {
					failed.Store(&err)
				}
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return "", fmt.Errorf("bench sockets: agents: %w", *p)
	}
	f, err := os.CreateTemp("", "parley-bench-tokens-*")
	if err != nil {
		return "", err
	}
	_, err = io.WriteString(f, strings.Join(tokens, "\n")+"\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// socketReport is what the socket process says when asked: each socket's count of
// message.created events and the delivery latency of the sampled sockets' events.
type socketReport struct {
	counts        []int64
	samples       int
	p50, p99, max time.Duration
}

// short is how many sockets have fewer message.created events than expected(socket).
func (r socketReport) short(expected func(int) int64) int {
	n := 0
	for i, got := range r.counts {
		if got < expected(i) {
			n++
		}
	}
	return n
}

func (r socketReport) total() int64 {
	var t int64
	for _, c := range r.counts {
		t += c
	}
	return t
}

func askReport(ask io.Writer, answers *bufio.Scanner) (socketReport, error) {
	var r socketReport
	if _, err := io.WriteString(ask, "report\n"); err != nil {
		return r, err
	}
	if !answers.Scan() {
		return r, fmt.Errorf("bench sockets: the socket process ended: %v", answers.Err())
	}
	f := strings.Fields(answers.Text())
	if len(f) < 5 || f[0] != "report" {
		return r, fmt.Errorf("bench sockets: the socket process said %q", answers.Text())
	}
	nums := make([]int64, len(f)-1)
	for i, s := range f[1:] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return r, fmt.Errorf("bench sockets: the socket process said %q", answers.Text())
		}
		nums[i] = v
	}
	r.samples, r.p50, r.p99, r.max = int(nums[0]), time.Duration(nums[1]), time.Duration(nums[2]), time.Duration(nums[3])
	r.counts = nums[4:]
	return r, nil
}
