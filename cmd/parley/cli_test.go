package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/dbtest"
)

// parley runs one command line against the test database and returns its output.
func parley(t *testing.T, envs map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return envs[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestAdminVerbs(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn"}
	steps := []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"migrate"}, "", "migrated"},
		{[]string{"agent", "add", "--email", "Sup@Example.com", "--name", "Sue", "--role", "supervisor"}, "s3cret-pass\n", "<sup@example.com> (supervisor)"},
		{[]string{"agent", "add", "--email", "a@example.com", "--name", "Al", "--password", "another-pass"}, "", "(agent)"},
		{[]string{"team", "add", "--name", "Billing", "--members", "sup@example.com,a@example.com"}, "", "Billing (2 members)"},
		{[]string{"token", "add", "--agent", "a@example.com"}, "", "pk_"},
		{[]string{"inbox", "add", "api", "--name", "CRM"}, "", "1"},
	}
	for _, s := range steps {
		out, err := parley(t, env, s.stdin, s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("parley %s: %q, %v; want output containing %q", strings.Join(s.args, " "), out, err, s.want)
		}
	}
	failures := []struct {
		args []string
		want string
	}{
		{[]string{"agent", "add", "--email", "a@example.com", "--name", "Al", "--password", "another-pass"}, "exists"},
		{[]string{"agent", "add", "--email", "b@example.com", "--name", "B", "--password", "short"}, "password"},
		{[]string{"agent", "add", "--email", "c@example.com", "--name", "C", "--role", "boss", "--password", "long-enough"}, "role"},
		{[]string{"token", "add", "--agent", "nobody@example.com"}, "not found"},
		{[]string{"team", "add", "--name", "Ops", "--members", "ghost@example.com"}, "ghost@example.com"},
		{[]string{"inbox", "add", "fax"}, "unknown"},
		{[]string{"frobnicate"}, "unknown verb"},
	}
	for _, f := range failures {
		out, err := parley(t, env, "", f.args...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("parley %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
}

func TestDemoIsIdempotentAndItsLoginWorks(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn"}
	first, err := parley(t, env, "", "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, first)
	}
	second, err := parley(t, env, "", "demo")
	if err != nil {
		t.Fatalf("demo again: %v\n%s", err, second)
	}
	token := field(t, second, "API token:")
	// Serve, and use the printed token against the running server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveInBackground(t, env, ln)
	st, body := fetch(t, "http://"+ln.Addr().String()+"/api/v1/conversations?limit=100", token)
	// Run twice, the demo still holds its sample conversations once each: without
	// PARLEY_SECRET_KEY, four chats and one through the API channel.
	if st != 200 || strings.Count(body, `"contact_id"`) != 5 {
		t.Fatalf("conversations with the demo token: %d %s", st, body)
	}
}

// field returns the text after label on its line.
func field(t *testing.T, out, label string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if _, v, ok := strings.Cut(line, label); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %q in %q", label, out)
	return ""
}

// withSandbox is serveInBackground's option for `parley serve --sandbox`.
const withSandbox = true

// serveInBackground runs `parley serve` (with --sandbox when sandbox[0] is true) with env on ln
// until the test ends, then requires it to have stopped cleanly.
func serveInBackground(t *testing.T, env map[string]string, ln net.Listener, sandbox ...bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		c := &cli{getenv: func(k string) string { return env[k] }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
		a, err := open(ctx, c)
		if err != nil {
			done <- err
			return
		}
		defer a.close()
		if len(sandbox) > 0 && sandbox[0] {
			if err := a.startSandbox(); err != nil {
				done <- err
				return
			}
			defer a.stopSandbox()
		}
		done <- a.serve(ctx, ln)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}
