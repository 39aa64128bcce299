package chat_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/workflow"
)

// A benchmark may spread its sockets over several chat servers, each a process of its own on
// the same database (as a deployment of several parley processes runs): one process may open
// at most 20,000 files on this machine, so 20,000 sockets need two. The others run this test
// binary with benchServeEnv set, on the database named by benchDBEnv.
const (
	benchServersEnv = "CHAT_BENCH_SERVERS"
	benchServeEnv   = "CHAT_BENCH_SERVE"
	benchDBEnv      = "CHAT_BENCH_DB"
)

// benchServers is how many chat server processes the benchmark runs: 1, or CHAT_BENCH_SERVERS.
func benchServers() int {
	if v, err := strconv.Atoi(os.Getenv(benchServersEnv)); err == nil && v > 0 {
		return v
	}
	return 1
}

// benchStore is a store on a fresh database with the real clock and a pool for the load; it
// returns the database's URL too, for the other server processes.
func benchStore(b *testing.B) (*inbox.Store, string) {
	url := dbtest.URL(b)
	store, closePool, err := openBenchStore(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closePool)
	return store, url
}

func openBenchStore(url string) (*inbox.Store, func(), error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, nil, err
	}
	cfg.MaxConns = 30
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, nil, err
	}
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return inbox.New(pool, inbox.Options{Jobs: jobs, SecretKey: "test-key"}), pool.Close, nil
}

// benchServer starts a chat server in this process and returns it and its ws:// base URL.
func benchServer(b *testing.B, store *inbox.Store) (*chat.Server, string) {
	b.Helper()
	srv, url, stop, err := startChat(store)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	return srv, url
}

// startChat runs a chat server on store with the process's own relay, as parley serve does,
// behind an HTTP server on a free port.
func startChat(store *inbox.Store) (srv *chat.Server, url string, stop func(), err error) {
	relay := pgrelay.New(store.Pool(), nil)
	feed := inbox.NewFeed(relay, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = relay.Run(ctx); close(done) }()
	<-feed.Ready()
	// Every benchmark socket comes from 127.0.0.1: the per-address limits are off.
	srv, err = chat.New(chat.Config{Store: store, Events: feed, TokenSecret: tokenSecret,
		Limits: chat.Limits{NewVisitorsPerMinute: -1, SocketsPerAddress: -1}})
	if err != nil {
		cancel()
		<-done
		return nil, "", nil, err
	}
	mux := http.NewServeMux()
	for p, h := range srv.Handlers() {
		mux.Handle(p, h)
	}
	hs := httptest.NewServer(mux)
	stop = func() {
		srv.Close()
		hs.Close()
		cancel()
		<-done
	}
	return srv, "ws" + strings.TrimPrefix(hs.URL, "http"), stop, nil
}

// serveBenchChat is another server process: a chat server on the database at dbURL, whose
// base URL it prints ("serving URL"), until in ends.
func serveBenchChat(dbURL string, out io.Writer, in io.Reader) error {
	if dbURL == "" {
		return errors.New(benchDBEnv + " is not set")
	}
	store, closePool, err := openBenchStore(dbURL)
	if err != nil {
		return err
	}
	defer closePool()
	_, url, stop, err := startChat(store)
	if err != nil {
		return err
	}
	defer stop()
	if _, err := fmt.Fprintln(out, "serving", url); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, in)
	return err
}

// startChild starts this test binary again as a helper process of the benchmark, with env
// added to its environment, and returns it, the pipe to its input, and its output by lines.
func startChild(b *testing.B, env ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return cmd, in, bufio.NewScanner(out)
}

// startBenchServer starts another server process on the database at dbURL and returns its
// base URL; it ends with the benchmark (when its input closes).
func startBenchServer(b *testing.B, dbURL string) string {
	cmd, in, lines := startChild(b, benchServeEnv+"=1", benchDBEnv+"="+dbURL)
	b.Cleanup(func() { _ = in.Close(); _ = cmd.Wait() })
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "serving ") {
		b.Fatalf("server process: %q %v", lines.Text(), lines.Err())
	}
	return strings.TrimPrefix(lines.Text(), "serving ")
}

// startVisitors starts a visitor process of n sockets on url and returns once they are open;
// it sends each receipt ("got ID UNIXNANO") to receipts, and wg is done when the process ends.
func startVisitors(b *testing.B, url string, n int, receipts chan<- [2]int64, wg *sync.WaitGroup) {
	cmd, _, lines := startChild(b, benchChildEnv+"=1", benchURLEnv+"="+url, benchNEnv+"="+strconv.Itoa(n))
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if !lines.Scan() || lines.Text() != "ready" {
		b.Fatalf("visitor process: %q %v", lines.Text(), lines.Err())
	}
	wg.Go(func() {
		for lines.Scan() {
			var id, at int64
			if _, err := fmt.Sscanf(lines.Text(), "got %d %d", &id, &at); err == nil {
				receipts <- [2]int64{id, at}
			}
		}
	})
}
