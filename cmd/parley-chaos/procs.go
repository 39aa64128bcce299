package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cluster is the harness's own PostgreSQL, made by scripts/localpg in a folder of its own; it is
// never the machine's shared server.
type cluster struct {
	repo string // the repository's root, where scripts/localpg is
	dir  string // the cluster's folder
	url  string // its DATABASE_URL
}

// startCluster makes and starts a durable cluster in dir (fsync on: a restart must not lose
// what was acknowledged).
func startCluster(ctx context.Context, repo, dir string) (*cluster, error) {
	c := &cluster{repo: repo, dir: dir}
	out, err := c.localpg(ctx, "up", dir)
	if err != nil {
		return nil, err
	}
	c.url = strings.TrimSpace(out)
	return c, nil
}

// localpg runs scripts/localpg with args and returns its stdout.
func (c *cluster) localpg(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.repo, "scripts/localpg"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("localpg %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// stop shuts the cluster down (fast: clients are disconnected, the data stays).
func (c *cluster) stop(ctx context.Context) error {
	_, err := c.localpg(ctx, "down", c.dir)
	return err
}

// restart starts the stopped cluster again on its port.
func (c *cluster) restart(ctx context.Context) error {
	out, err := c.localpg(ctx, "up", c.dir)
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(out); got != c.url {
		return fmt.Errorf("localpg: the cluster came back at %s, not %s", got, c.url)
	}
	return nil
}

// remove stops the cluster and deletes its folder.
func (c *cluster) remove(ctx context.Context) error {
	_, err := c.localpg(ctx, "rm", c.dir)
	return err
}

// parley runs bin/parley's verbs with one environment.
type parley struct {
	bin string
	env []string
	dir string // where server logs go
}

// run runs one CLI verb and returns its stdout.
func (p *parley) run(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("parley %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// lastLine is the last non-empty line of out (the id `parley inbox add` prints last).
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// server is one `parley serve` process.
type server struct {
	name string
	url  string // http://127.0.0.1:port
	addr string
	log  string // its log file

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// startServer starts `parley serve` on a free port (or addr when given) with extra environment
// and waits until /readyz answers 200.
func (p *parley) startServer(ctx context.Context, name, addr string, extra ...string) (*server, error) {
	if addr == "" {
		var err error
		if addr, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	s := &server{name: name, addr: addr, url: "http://" + addr, log: filepath.Join(p.dir, name+".log")}
	if err := s.start(ctx, p, extra); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *server) start(ctx context.Context, p *parley, extra []string) error {
	f, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.bin, "serve")
	cmd.Env = append(append(append([]string{}, p.env...), "PARLEY_ADDR="+s.addr), extra...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = f.Close()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	return s.waitReady(ctx, done)
}

// waitReady polls /readyz for up to a minute.
func (s *server) waitReady(ctx context.Context, done <-chan struct{}) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("%s exited while starting; see %s", s.name, s.log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s was not ready within a minute; see %s", s.name, s.log)
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.signal(syscall.SIGKILL)
}

// stop sends SIGTERM and waits (SIGKILL after 40 s).
func (s *server) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(40 * time.Second):
		s.kill()
	}
}

func (s *server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	<-done
}

// alive reports whether the process still runs.
func (s *server) alive() bool {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// freeAddr is a TCP address on 127.0.0.1 that nothing listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// build compiles bin/parley in repo.
func build(ctx context.Context, repo string) (string, error) {
	bin := filepath.Join(repo, "bin/parley")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/parley")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
}

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from the repository")
		}
		dir = parent
	}
}
