// Package dbtest gives each test its own freshly migrated PostgreSQL database.
//
// The server comes from TEST_DATABASE_URL (a role that may CREATE DATABASE); `make test` starts a
// throwaway cluster and sets it. The first test of a process migrates a template database named
// after a hash of the migrations, once per server (an advisory lock keeps parallel test binaries
// from racing); every test then clones that template, which takes a few milliseconds, and drops
// its clone when it ends. Tests never share rows, so they may run in parallel.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/migrations"
)

// EnvURL names the environment variable holding the test server's URL.
const EnvURL = "TEST_DATABASE_URL"

// templateOnce migrates the template once per test binary. It is the one piece of package state:
// a test binary is one process and the template is shared by all its tests.
var templateOnce = sync.OnceValues(prepareTemplate)

// URL creates a new migrated database for t and returns its connection URL. The database is
// dropped when t ends. The test fails (never skips) when no server is configured.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Fatalf("dbtest: %s is not set; run the tests with `make test`, which starts a PostgreSQL", EnvURL)
	}
	tpl, err := templateOnce()
	if err != nil {
		t.Fatalf("dbtest: template: %v", err)
	}
	name := "parley_t_" + randomHex(6)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("dbtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	if err := createFrom(ctx, admin, name, tpl); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dbtest: cleanup connect: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

// Pool returns a connection pool on a new migrated database for t, closed when t ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(URL(t))
	if err != nil {
		t.Fatalf("dbtest: parse url: %v", err)
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("dbtest: pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// createFrom clones the template, retrying while another session briefly holds the template
// (PostgreSQL refuses to copy a database that has other connections).
func createFrom(ctx context.Context, admin *pgx.Conn, name, tpl string) error {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tpl)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(20+attempt*10) * time.Millisecond)
	}
	return fmt.Errorf("create %s from %s: %w", name, tpl, err)
}

func prepareTemplate() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := os.Getenv(EnvURL)
	name, err := templateName()
	if err != nil {
		return "", err
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(ctx)
	// Serialize template creation across test binaries running in parallel.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(7243001)"); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock(7243001)") //nolint:errcheck // released on close anyway

	var ready bool
	err = admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil {
		return "", fmt.Errorf("look up template: %w", err)
	}
	if ready {
		return name, nil
	}
	// A half-built template from an interrupted run is rebuilt.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	pool, err := pgxpool.New(ctx, withDatabase(base, name))
	if err != nil {
		return "", fmt.Errorf("template pool: %w", err)
	}
	_, err = migrations.Apply(ctx, pool)
	pool.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" WITH is_template true"); err != nil {
		return "", fmt.Errorf("mark template: %w", err)
	}
	return name, nil
}

// templateName is derived from the migrations' contents, so a changed schema gets a new template.
func templateName() (string, error) {
	names, err := migrations.Names()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, n := range names {
		b, err := migrations.Read(n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return "parley_tpl_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
