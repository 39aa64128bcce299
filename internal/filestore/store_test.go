package filestore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/filestore"
	"github.com/parleyhq/parley/internal/filestore/filestoretest"
)

// TestBackendsConform runs the same promises against every backend.
func TestBackendsConform(t *testing.T) {
	pool := dbtest.Pool(t)
	for name, st := range filestoretest.Backends(t, pool) {
		t.Run(name, func(t *testing.T) { conform(t, st) })
	}
}

func random(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// conform is the contract of filestore.Store.
func conform(t *testing.T, st filestore.Store) {
	ctx := context.Background()
	// Sizes around the PostgreSQL chunk (1 MiB) and the S3 part (5 MiB), and nothing at all.
	for _, size := range []int{0, 1, 512, 1<<20 - 1, 1 << 20, 1<<20 + 1, 5 << 20, 5<<20 + 3, 11 << 20} {
		want := random(t, size)
		key := filestore.NewKey()
		n, err := st.Put(ctx, key, bytes.NewReader(want))
		if err != nil || n != int64(size) {
			t.Fatalf("put %d bytes: n=%d err=%v", size, n, err)
		}
		rc, err := st.Open(ctx, key)
		if err != nil {
			t.Fatalf("open %d bytes: %v", size, err)
		}
		got, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read %d bytes back: got %d bytes, equal %v, err %v", size, len(got), bytes.Equal(got, want), err)
		}
		if err := st.Delete(ctx, key); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := st.Open(ctx, key); !errors.Is(err, filestore.ErrNotFound) {
			t.Fatalf("open after delete: %v, want ErrNotFound", err)
		}
	}

	// Two keys never see each other's bytes.
	a, b := filestore.NewKey(), filestore.NewKey()
	if _, err := st.Put(ctx, a, bytes.NewReader([]byte("alpha"))); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, b, bytes.NewReader([]byte("beta"))); err != nil {
		t.Fatal(err)
	}
	rc, err := st.Open(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rc); string(got) != "alpha" {
		t.Fatalf("key a holds %q", got)
	}
	_ = rc.Close()

	// A reader that fails half-way (over a limit) leaves nothing under the key, whether the
	// failure comes within the first chunk or part or after several.
	for _, size := range []int{100, 3 << 20, 12 << 20} {
		key := filestore.NewKey()
		_, err := st.Put(ctx, key, filestore.LimitReader(bytes.NewReader(random(t, size+1)), int64(size)))
		if !errors.Is(err, filestore.ErrTooLarge) {
			t.Fatalf("put over the limit of %d: %v, want ErrTooLarge", size, err)
		}
		if _, err := st.Open(ctx, key); !errors.Is(err, filestore.ErrNotFound) {
			t.Fatalf("a refused put of %d left a file: %v", size, err)
		}
	}

	// Missing and hostile keys.
	if _, err := st.Open(ctx, filestore.NewKey()); !errors.Is(err, filestore.ErrNotFound) {
		t.Fatalf("open of a key never stored: %v", err)
	}
	if err := st.Delete(ctx, filestore.NewKey()); err != nil {
		t.Fatalf("delete of a key never stored: %v", err)
	}
	for _, bad := range []string{"", "../../etc/passwd", "ABCDEF0123456789ABCDEF0123456789", "0123456789abcdef0123456789abcde/"} {
		if _, err := st.Put(ctx, bad, bytes.NewReader(nil)); !errors.Is(err, filestore.ErrBadKey) {
			t.Fatalf("put %q: %v, want ErrBadKey", bad, err)
		}
		if _, err := st.Open(ctx, bad); !errors.Is(err, filestore.ErrBadKey) {
			t.Fatalf("open %q: %v, want ErrBadKey", bad, err)
		}
	}
}

// TestDirLeavesNoTemporaryFile: a refused write removes its temporary file too.
func TestDirLeavesNoTemporaryFile(t *testing.T) {
	root := t.TempDir()
	d, err := filestore.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	key := filestore.NewKey()
	if _, err := d.Put(context.Background(), key, filestore.LimitReader(bytes.NewReader(random(t, 2000)), 1000)); !errors.Is(err, filestore.ErrTooLarge) {
		t.Fatalf("put: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, key[:2]))
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestLimitReader(t *testing.T) {
	for _, tc := range []struct {
		size, limit int
		tooLarge    bool
	}{{0, 0, false}, {1, 0, true}, {10, 10, false}, {11, 10, true}, {4096, 10, true}, {9, 10, false}} {
		got, err := io.ReadAll(filestore.LimitReader(bytes.NewReader(make([]byte, tc.size)), int64(tc.limit)))
		if errors.Is(err, filestore.ErrTooLarge) != tc.tooLarge {
			t.Errorf("size %d limit %d: err %v", tc.size, tc.limit, err)
		}
		if len(got) > tc.limit {
			t.Errorf("size %d limit %d: read %d bytes past the limit", tc.size, tc.limit, len(got))
		}
	}
}

// TestSniffTrustsBytesNotNames: the type comes from the content; an executable is never an
// image whatever it claims, and the whole stream survives the sniffing.
func TestSniffTrustsBytesNotNames(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 600)...)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 600)...)
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"png", png, "image/png"},
		{"exe named photo.png", exe, "application/octet-stream"},
		{"html", []byte("<html><script>alert(1)</script>"), "text/html; charset=utf-8"},
		{"empty", nil, "text/plain; charset=utf-8"},
	} {
		ct, r, err := filestore.Sniff(bytes.NewReader(tc.body))
		if err != nil || ct != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.name, ct, err, tc.want)
		}
		all, _ := io.ReadAll(r)
		if !bytes.Equal(all, tc.body) {
			t.Errorf("%s: the stream lost bytes: %d of %d", tc.name, len(all), len(tc.body))
		}
	}
}
