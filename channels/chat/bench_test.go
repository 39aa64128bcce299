package chat_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// The benchmark's visitors run in a child process (this test binary, started with
// benchChildEnv set), so the benchmark process's memory statistics are the server's alone.
const (
	benchChildEnv = "CHAT_BENCH_CHILD"
	benchURLEnv   = "CHAT_BENCH_URL"
	benchNEnv     = "CHAT_BENCH_N"
)

// TestMain runs the benchmark's visitor process when asked to, the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(benchServeEnv) != "" {
		if err := serveBenchChat(os.Getenv(benchDBEnv), os.Stdout, os.Stdin); err != nil {
			fmt.Fprintln(os.Stderr, "bench server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(benchChildEnv) != "" {
		if err := benchVisitors(os.Getenv(benchURLEnv), os.Getenv(benchNEnv), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench visitors:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// BenchmarkHoldAndBroadcast holds benchSockets visitor sockets (CHAT_BENCH_SOCKETS, 5,000 by
// default), each with a conversation, spread evenly over benchServers chat servers
// (CHAT_BENCH_SERVERS, 1 by default: this process; the others are processes of their own on the
// same database), each server's sockets opened by a visitor process of their own. Then (per
// iteration) an agent replies to every conversation in one transaction. It reports this
// process's server memory per socket it holds (heap and stacks, after GC, over the idle
// baseline) and the latency from the agent's COMMIT to the visitor's receipt of that very
// reply, matched by message id (p50, p99, max), over every server's sockets.
//
//	make bench BENCH=HoldAndBroadcast PKG=./channels/chat/ BENCHTIME=1x
//	CHAT_BENCH_SOCKETS=20000 CHAT_BENCH_SERVERS=2 make bench BENCH=HoldAndBroadcast PKG=./channels/chat/ BENCHTIME=1x
func BenchmarkHoldAndBroadcast(b *testing.B) {
	n, servers := benchSockets(), benchServers()
	if n%servers != 0 {
		b.Fatalf("%d sockets do not split evenly over %d servers", n, servers)
	}
	local := n / servers          // the sockets of each server, this process's among them
	raiseFileLimit(b, local+1000) // each process holds one end of each of its sockets
	store, dbURL := benchStore(b)
	srv, url := benchServer(b, store)
	in, err := store.CreateInbox(context.Background(), inbox.NewInbox{Kind: inbox.ChannelChat, Name: "Bench",
		Settings: chat.Settings{Origins: []string{"*"}}})
	if err != nil {
		b.Fatal(err)
	}
	agent, err := store.CreateAgent(context.Background(), inbox.NewAgent{Email: "bench@parley.test", Name: "Bench Agent", Password: "correct-horse-battery"})
	if err != nil {
		b.Fatal(err)
	}

	for range 3 {
		runtime.GC()
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	urls := []string{url}
	for range servers - 1 {
		urls = append(urls, startBenchServer(b, dbURL))
	}
	receipts := make(chan [2]int64, n)
	var visitors sync.WaitGroup
	for _, u := range urls {
		startVisitors(b, u+"/chat/ws?inbox="+strconv.FormatInt(in.ID, 10), local, receipts, &visitors)
	}
	go func() { visitors.Wait(); close(receipts) }()
	if got := srv.Sockets(); got != local {
		b.Fatalf("server holds %d sockets, want %d", got, local)
	}
	for range 3 { // idle goroutine stacks shrink by half per collection
		runtime.GC()
	}
	var held runtime.MemStats
	runtime.ReadMemStats(&held)
	perSocket := func(after, before uint64) float64 { return float64(int64(after)-int64(before)) / float64(local) }
	heap, stack := perSocket(held.HeapInuse, before.HeapInuse), perSocket(held.StackInuse, before.StackInuse)

	convs := benchConversations(b, store, n)

	var latencies []time.Duration
	b.ResetTimer()
	for range b.N {
		sent, ids := broadcast(b, store, agent, convs)
		for len(ids) > 0 {
			r, ok := <-receipts
			if !ok {
				b.Fatal("the visitor processes ended early")
			}
			if !ids[r[0]] {
				continue // not one of this round's replies (or a second copy of one)
			}
			delete(ids, r[0])
			latencies = append(latencies, time.Duration(r[1]-sent))
		}
	}
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(n), "sockets")
	b.ReportMetric(float64(servers), "servers")
	b.ReportMetric(heap+stack, "B/socket")
	b.ReportMetric(heap, "heap-B/socket")
	b.ReportMetric(stack, "stack-B/socket")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// benchSockets is how many sockets the benchmark holds: 5,000, or CHAT_BENCH_SOCKETS.
func benchSockets() int {
	if v, err := strconv.Atoi(os.Getenv("CHAT_BENCH_SOCKETS")); err == nil && v > 0 {
		return v
	}
	return 5000
}

// raiseFileLimit lifts the soft limit on open files to at least want (up to the hard limit);
// the child process inherits it.
func raiseFileLimit(b *testing.B, want int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur >= uint64(want) {
		return
	}
	lim.Cur = min(uint64(want), lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < uint64(want) {
		b.Fatalf("open files limited to %d, need %d: %v", lim.Cur, want, err)
	}
}

// broadcast writes one agent reply into each conversation in one transaction. It returns the
// instant the COMMIT was sent (no visitor can receive a reply before it) and the replies' ids.
func broadcast(b *testing.B, store *inbox.Store, agent inbox.Agent, convs []int64) (int64, map[int64]bool) {
	var sent int64
	ids := make(map[int64]bool, len(convs))
	err := store.InTx(context.Background(), func(tx pgx.Tx) error {
		for _, id := range convs {
			msgID, err := store.WriteTx(context.Background(), tx, inbox.Reply{ConversationID: id,
				Author: inbox.Actor{AgentID: agent.ID}, Text: "Thanks for waiting!"}, inbox.DirectionOutbound)
			if err != nil {
				return err
			}
			ids[msgID] = true
		}
		sent = time.Now().UnixNano()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return sent, ids
}

func benchConversations(b *testing.B, store *inbox.Store, n int) []int64 {
	rows, err := store.Pool().Query(context.Background(), "SELECT id FROM conversations WHERE channel = 'chat' ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) != n {
		b.Fatalf("%d chat conversations, want %d", len(ids), n)
	}
	return ids
}

// benchVisitors is the child process: it opens n visitor sockets on url, each says hello and
// one message (so it has a conversation), prints "ready", then prints "got ID UNIXNANO" for
// every agent message it receives.
func benchVisitors(url, count string, w io.Writer) error {
	n, err := strconv.Atoi(count)
	if err != nil {
		return err
	}
	dialer := &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: time.Minute}
	var mu sync.Mutex
	out := bufio.NewWriter(w)
	conns := make([]*websocket.Conn, n)
	sem := make(chan struct{}, 64)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := benchVisitor(dialer, url, i)
			conns[i] = c
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "ready")
	if err := out.Flush(); err != nil {
		return err
	}
	// The receipts are written every few milliseconds, not one write each: they carry their
	// own arrival times, and a write per receipt would cost the machine the server shares.
	go func() {
		for range time.Tick(5 * time.Millisecond) {
			mu.Lock()
			if out.Buffered() > 0 {
				_ = out.Flush()
			}
			mu.Unlock()
		}
	}()
	for _, c := range conns {
		wg.Go(func() {
			for {
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Minute))
				_, data, err := c.ReadMessage()
				if err != nil {
					return
				}
				at := time.Now().UnixNano()
				var f frame
				if json.Unmarshal(data, &f) == nil && f.Type == "message" && f.Direction == "outbound" {
					mu.Lock()
					fmt.Fprintf(out, "got %d %d\n", f.ID, at)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return nil
}

func benchVisitor(d *websocket.Dialer, url string, i int) (*websocket.Conn, error) {
	c, _, err := d.Dial(url, http.Header{"Origin": {"http://bench.example"}})
	if err != nil {
		return nil, fmt.Errorf("visitor %d: dial: %w", i, err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Minute))
	steps := []struct {
		send map[string]any
		want string
	}{
		{map[string]any{"type": "hello", "last_id": 0}, "welcome"},
		{map[string]any{"type": "message", "client_id": "m1", "text": "hello from visitor " + strconv.Itoa(i)}, "message"},
	}
	for _, s := range steps {
		if err := c.WriteJSON(s.send); err != nil {
			return nil, fmt.Errorf("visitor %d: %w", i, err)
		}
		var f frame
		if err := c.ReadJSON(&f); err != nil || f.Type != s.want {
			return nil, fmt.Errorf("visitor %d: want %s, got %+v: %v", i, s.want, f, err)
		}
	}
	return c, nil
}
