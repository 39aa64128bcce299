package web_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/filestore/filestoretest"
)

// benchFileSize is the attachment the benchmark stores and sends.
const benchFileSize = 20 << 20

// BenchmarkAttachment20MB measures, on each file store backend, a 20 MB attachment:
//   - upload: POST /api/v1/uploads, the client streaming the file (MB/s is the upload
//     throughput);
//   - store-and-send: a reply with the file as multipart/form-data, then the file read back
//     through inbox.Store.OpenAttachment as the deliver job hands it to a channel.
//
// peak-heap-MB is the most the process's heap grew over its state before the operation, the
// HTTP client's and server's sides together (see measurePeak): streaming keeps it near a few
// PostgreSQL chunks (1 MiB each, in pgx's buffers too) or one S3 part (5 MiB) plus buffers, not
// the file's 20 MB. The S3 backend's figure
// includes the in-process fake S3 server, which keeps every object in memory.
//
// Run alone: go test ./web/ -run '^$' -bench BenchmarkAttachment20MB -benchtime=3x
func BenchmarkAttachment20MB(b *testing.B) {
	pool := dbtest.Pool(b)
	for name, files := range filestoretest.Backends(b, pool) {
		b.Run(name, func(b *testing.B) {
			e := setupFilesOn(b, files, 25<<20, 25<<20)
			var in ids
			if st := benchDo(b, e, "POST", "/api/v1/inbound", "application/json",
				`{"external_id":"bench-1","contact":{"email":"bench@example.com"},"text":"the file please"}`, &in); st != http.StatusCreated {
				b.Fatalf("inbound: %d", st)
			}
			b.Run("upload", func(b *testing.B) {
				b.SetBytes(benchFileSize)
				peak := measurePeak(b, func() {
					if st := benchMultipart(b, e, "/api/v1/uploads", nil); st != http.StatusCreated {
						b.Fatalf("upload: %d", st)
					}
				})
				b.ReportMetric(peak, "peak-heap-MB")
			})
			b.Run("store-and-send", func(b *testing.B) {
				b.SetBytes(benchFileSize)
				path := fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID)
				peak := measurePeak(b, func() {
					var m inbox.Message
					if st := benchMultipart(b, e, path, &m); st != http.StatusCreated || len(m.Attachments) != 1 {
						b.Fatalf("reply: %d %+v", st, m)
					}
					rc, err := e.store.OpenAttachment(context.Background(), m.Attachments[0].ID)
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, rc)
					_ = rc.Close()
					if err != nil || n != benchFileSize {
						b.Fatalf("send: %d bytes, %v", n, err)
					}
				})
				b.ReportMetric(peak, "peak-heap-MB")
			})
		})
	}
}

// measurePeak runs op b.N times and answers the most the heap grew above its level before
// each run, in MB, sampled every millisecond. The collector runs at GOGC=10 meanwhile, so that
// the figure is what is held, not garbage a lazy collector has not reclaimed yet (at the
// default GOGC=100 a small heap may grow by its own size in garbage before a collection).
func measurePeak(b *testing.B, op func()) float64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var worst float64
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() float64 { metrics.Read(sample); return float64(sample[0].Value.Uint64()) }
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		base := heap()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		peak := base
		wg.Go(func() {
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					peak = max(peak, heap())
				}
			}
		})
		b.StartTimer()
		op()
		b.StopTimer()
		close(stop)
		wg.Wait()
		worst = max(worst, (peak-base)/(1<<20))
		b.StartTimer()
	}
	return worst
}

// benchMultipart posts a multipart body with one 20 MB "file" part of random bytes, written
// as it is sent (the client never holds the file), and decodes the answer into out.
func benchMultipart(b *testing.B, e *apiEnv, path string, out any) int {
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() {
		part, err := w.CreateFormFile("file", "big.bin")
		if err == nil {
			_, err = io.CopyN(part, rand.Reader, benchFileSize)
		}
		if err == nil {
			err = w.Close()
		}
		_ = pw.CloseWithError(err)
	}()
	return benchRequest(b, e, "POST", path, w.FormDataContentType(), pr, out)
}

func benchDo(b *testing.B, e *apiEnv, method, path, contentType, body string, out any) int {
	return benchRequest(b, e, method, path, contentType, strings.NewReader(body), out)
}

// benchRequest sends body with the agent's token (the integration token for the inbound API)
// and decodes a JSON answer into out.
func benchRequest(b *testing.B, e *apiEnv, method, path, contentType string, body io.Reader, out any) int {
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		b.Fatal(err)
	}
	token := e.token
	if path == "/api/v1/inbound" {
		token = e.integration
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			b.Fatal(err)
		}
	}
	return resp.StatusCode
}
