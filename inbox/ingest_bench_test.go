package inbox_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/workflow"
)

// BenchmarkIngestParallel measures Store.Ingest (identity, threading, message, the River jobs
// that production inserts through workflow's Enqueuer, and NOTIFY, group-committed) from 16
// concurrent callers over 5,000 customers, without HTTP.
// Run on a durable cluster: make bench BENCH='IngestParallel$$' PKG=./inbox/ BENCHTIME=20000x
func BenchmarkIngestParallel(b *testing.B) {
	pool := dbtest.Pool(b)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		b.Fatal(err)
	}
	store := inbox.New(pool, inbox.Options{Jobs: jobs, SecretKey: "bench-key"})
	ingestParallel(b, store, 5000)
}

// BenchmarkIngestParallelNewCustomers is BenchmarkIngestParallel with every message from a new
// customer: each opens a contact, an identity and a conversation, routed as it is written
// (workflow's Enqueuer is also the store's Router, as in production).
// Run: make bench BENCH=IngestParallelNewCustomers PKG=./inbox/ BENCHTIME=20000x
func BenchmarkIngestParallelNewCustomers(b *testing.B) {
	pool := dbtest.Pool(b)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		b.Fatal(err)
	}
	store := inbox.New(pool, inbox.Options{Jobs: jobs, Router: jobs, SecretKey: "bench-key"})
	ingestParallel(b, store, 0)
}

// ingestParallel ingests b.N customer messages from 16 concurrent callers, each from one of
// customers customers picked at random, or, when customers is 0, each from a new customer.
func ingestParallel(b *testing.B, store *inbox.Store, customers int) {
	var seq atomic.Int64
	b.SetParallelism(8) // 8 x GOMAXPROCS(2) = 16 callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			customer := n
			if customers > 0 {
				customer = int64(rand.IntN(customers))
			}
			_, err := store.Ingest(context.Background(), inbox.Inbound{Channel: inbox.ChannelAPI,
				ExternalID: fmt.Sprintf("b%d", n), From: emailFrom(fmt.Sprintf("c%d@bench.example", customer)),
				Subject: "Where is my order?", Text: "Hello, my order has not arrived yet."})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
