package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/webhook"
)

// BenchmarkPlanTx measures what planning costs every change's transaction: one statement for a
// batch of 8 events, with no endpoint registered and with three (one subscribed), beside an empty
// transaction.
func BenchmarkPlanTx(b *testing.B) {
	e := setupB(b)
	events := make([]inbox.Event, 8)
	for i := range events {
		events[i] = inbox.Event{Type: inbox.EventMessageCreated, ConversationID: int64(i + 1), MessageID: int64(i + 1), At: time.Now()}
	}
	run := func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
				_, err := webhook.PlanTx(ctx, tx, events)
				if err != nil {
					return err
				}
				return errRollback
			})
			if err != errRollback {
				b.Fatal(err)
			}
		}
	}
	b.Run("baseline: begin and roll back", func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			if err := pgx.BeginFunc(ctx, e.pool, func(pgx.Tx) error { return errRollback }); err != errRollback {
				b.Fatal(err)
			}
		}
	})
	b.Run("no endpoint", run)
	for _, ev := range []string{inbox.EventMessageCreated, inbox.EventConversationStatus, inbox.EventTokenRevoked} {
		url, events, secret := "https://hooks.example.com/x", []string{ev}, "a-secret-of-sixteen"
		if _, _, err := e.hooks.Create(context.Background(), inbox.CLIActor(), webhook.EndpointInput{URL: &url, Events: &events, Secret: &secret}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("three endpoints", run)
}

type rollback struct{}

func (rollback) Error() string { return "rollback" }

var errRollback error = rollback{}
