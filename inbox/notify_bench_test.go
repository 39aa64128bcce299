package inbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/workflow"
)

// BenchmarkIngestReplies measures what the "customer answered" notices cost the group commit:
// 16 concurrent callers write into the open conversations of 500 customers, assigned to 20
// agents (assigned) or to nobody (unassigned, no notice), as BenchmarkIngestParallel does.
// Run: make bench BENCH=IngestReplies PKG=./inbox/ BENCHTIME=5000x
func BenchmarkIngestReplies(b *testing.B) {
	for _, assigned := range []bool{false, true} {
		b.Run(map[bool]string{false: "unassigned", true: "assigned"}[assigned], func(b *testing.B) {
			ctx := context.Background()
			pool := dbtest.Pool(b)
			jobs, err := workflow.NewEnqueuer(pool)
			if err != nil {
				b.Fatal(err)
			}
			store := inbox.New(pool, inbox.Options{Jobs: jobs, SecretKey: "bench-key"})
			var agents []int64
			for i := range 20 {
				a, err := store.CreateAgent(ctx, inbox.NewAgent{Email: fmt.Sprintf("a%d@bench.example", i), Name: "A", Password: "correct-horse-battery"})
				if err != nil {
					b.Fatal(err)
				}
				agents = append(agents, a.ID)
			}
			for c := range 500 {
				res, err := store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: fmt.Sprintf("seed%d", c),
					From: emailFrom(fmt.Sprintf("c%d@bench.example", c)), Subject: "Order", Text: "Hello"})
				if err != nil {
					b.Fatal(err)
				}
				if assigned {
					if _, err := store.Assign(ctx, res.ConversationID, agents[c%len(agents)], inbox.Actor{}); err != nil {
						b.Fatal(err)
					}
				}
			}
			ingestParallel(b, store, 500)
		})
	}
}
