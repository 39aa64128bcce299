package workflow_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/jobtest"
	"github.com/parleyhq/parley/workflow"
)

// BenchmarkMatch runs 50 rules (keywords, channels, tiers) in two sets over a 2 KB message.
func BenchmarkMatch(b *testing.B) {
	var first, all []workflow.Rule
	for i := range 25 {
		first = append(first, workflow.Rule{ID: int64(i), Name: fmt.Sprint("r", i), Conditions: workflow.Conditions{
			Keywords: []string{fmt.Sprint("word", i), fmt.Sprintf("two words%d", i)}, Channels: []inbox.Channel{inbox.ChannelEmail}},
			Actions: workflow.Actions{SetTeamID: int64(i + 1)}})
		all = append(all, workflow.Rule{ID: int64(100 + i), Name: fmt.Sprint("t", i), Conditions: workflow.Conditions{
			Tiers: []string{"gold"}, Keywords: []string{fmt.Sprint("tag", i)}}, Actions: workflow.Actions{SetTags: []string{fmt.Sprint("t", i)}}})
	}
	sets := []workflow.RuleSet{{Name: "triage", Mode: workflow.ModeFirst, Rules: first}, {Name: "tags", Mode: workflow.ModeAll, Rules: all}}
	f := workflow.Facts{Channel: inbox.ChannelEmail, Subject: "Order problem", Tier: "gold",
		Text: strings.Repeat("Hello, my order arrived broken and I would like a refund. ", 35) + "two words24 tag3"}
	m := workflow.Compile(sets)
	b.ReportAllocs()
	for b.Loop() {
		if out := m.Match(f); out.TeamID != 25 {
			b.Fatalf("outcome = %+v", out)
		}
	}
}

// BenchmarkAssignWaiting measures one assignment pass that hands b.N waiting conversations to
// ten agents: the time per op is the cost of one assignment (lock, choose, assign, audit, event).
func BenchmarkAssignWaiting(b *testing.B) {
	ctx := context.Background()
	e := newRoutingEnv(b)
	var agents []inbox.Agent
	for i := range 10 {
		agents = append(agents, e.agent(b, fmt.Sprint("agent", i), 1<<20))
	}
	team := e.team(b, "Support", agents...)
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: "api", Name: "web", TeamID: team.ID})
	if err != nil {
		b.Fatal(err)
	}
	seed := inbox.New(e.pool, inbox.Options{Clock: e.clock})
	for i := range b.N {
		if _, err := seed.Ingest(ctx, inbox.Inbound{InboxID: in.ID, Channel: inbox.ChannelAPI, ExternalID: fmt.Sprint("m", i),
			From: inbox.Identity{Kind: inbox.IdentityEmail, Address: fmt.Sprintf("c%d@example.com", i), Verified: true}, Text: "help"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.pool.Exec(ctx, `UPDATE conversations SET routed_at = created_at`); err != nil {
		b.Fatal(err)
	}
	workers, err := workflow.Workers(workflow.Config{Pool: e.pool, Store: e.store})
	if err != nil {
		b.Fatal(err)
	}
	w := jobtest.New[workflow.AssignWaitingArgs](b, e.pool, workers)
	b.ResetTimer()
	if err := w.Work(b, workflow.AssignWaitingArgs{TeamID: team.ID}, nil); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	var n int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE assignee_id IS NOT NULL`).Scan(&n); err != nil || n != b.N {
		b.Fatalf("assigned %d of %d, %v", n, b.N, err)
	}
}
