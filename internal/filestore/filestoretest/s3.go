// Package filestoretest gives tests the file store backends they run against, the S3 one on an
// in-process S3 server (gofakes3) that speaks S3's wire protocol.
package filestoretest

import (
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/parleyhq/parley/internal/filestore"
)

// Bucket is the bucket S3 creates.
const Bucket = "parley-files"

// S3 starts an in-process S3 server for t with one bucket and returns the backend on it.
func S3(t testing.TB) *filestore.S3 {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket(Bucket); err != nil {
		t.Fatalf("filestoretest: create bucket: %v", err)
	}
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(srv.Close)
	s, err := filestore.NewS3(filestore.S3Config{Bucket: Bucket, Endpoint: srv.URL, Region: "us-east-1",
		AccessKeyID: "test", SecretAccessKey: "test", PathStyle: true})
	if err != nil {
		t.Fatalf("filestoretest: %v", err)
	}
	return s
}

// Backends returns one of each backend for t by name: PostgreSQL on pool, a directory under
// t.TempDir, S3 on an in-process server.
func Backends(t testing.TB, pool *pgxpool.Pool) map[string]filestore.Store {
	t.Helper()
	dir, err := filestore.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]filestore.Store{"postgres": filestore.NewPostgres(pool), "dir": dir, "s3": S3(t)}
}
