package inbox_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// BenchmarkIngestParallel measures Store.Ingest (identity, threading, message, River job and
// NOTIFY, group-committed) from 16 concurrent callers over 5,000 customers, without HTTP.
// Run: make bench, or go test -run '^$' -bench IngestParallel ./inbox/
func BenchmarkIngestParallel(b *testing.B) {
	e := setupB(b)
	var seq atomic.Int64
	b.SetParallelism(8) // 8 x GOMAXPROCS(2) = 16 callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			_, err := e.store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelAPI,
				ExternalID: fmt.Sprintf("b%d", n), From: emailFrom(fmt.Sprintf("c%d@bench.example", rand.IntN(5000))),
				Subject: "Where is my order?", Text: "Hello, my order has not arrived yet."})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
