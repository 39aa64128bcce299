package workflow

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// BenchmarkSLARefresh measures one SLA refresh that finds nothing to change, in its own
// transaction: the cost every sla_compute job pays to read a conversation's clocks, policy,
// status history and reply facts. The conversation has a customer message answered by an agent
// and a second customer message, so all three of its clocks are stored.
func BenchmarkSLARefresh(b *testing.B) {
	ctx := context.Background()
	pool := dbtest.Pool(b)
	store := inbox.New(pool, inbox.Options{})
	e, err := newEngine(Config{Pool: pool, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := NewSLA(pool, store).CreatePolicy(ctx, NewPolicy{Name: "bench", FirstResponse: time.Hour,
		NextResponse: time.Hour, Resolution: 8 * time.Hour}); err != nil {
		b.Fatal(err)
	}
	var agent int64
	if err := pool.QueryRow(ctx, `INSERT INTO agents (email, name, password_hash, role, created_at)
		VALUES ('bench@example.com', 'Bench', '', 'agent', now()) RETURNING id`).Scan(&agent); err != nil {
		b.Fatal(err)
	}
	from := inbox.Identity{Kind: inbox.IdentityPhone, Address: "+15550001111", Verified: true}
	res, err := store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "m1", From: from, Text: "help"})
	if err != nil {
		b.Fatal(err)
	}
	conv := res.ConversationID
	if _, err := store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: agent}, Text: "on it"}); err != nil {
		b.Fatal(err)
	}
	if _, err := store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "m2", From: from, Text: "and?"}); err != nil {
		b.Fatal(err)
	}
	refresh := func() (*convClocks, error) {
		var cc *convClocks
		err := store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			cc, err = e.refresh(ctx, tx, conv)
			return err
		})
		return cc, err
	}
	if cc, err := refresh(); err != nil || len(cc.clocks) != 3 {
		b.Fatal(fmt.Sprint("setup refresh: ", err, " clocks ", cc))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := refresh(); err != nil {
			b.Fatal(err)
		}
	}
}
