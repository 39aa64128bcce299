package inbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// attrProbe is a Jobs that reads, on the ingest's own transaction, the contact attributes a job
// enqueued for a new conversation would see.
type attrProbe struct {
	mu   sync.Mutex
	seen []map[string]any
}

func (p *attrProbe) Enqueue(ctx context.Context, tx pgx.Tx, events []inbox.Event) error {
	for _, ev := range events {
		if ev.Type != inbox.EventConversationCreated {
			continue
		}
		var attrs map[string]any
		if err := tx.QueryRow(ctx, `SELECT attributes FROM contacts WHERE id = $1`, ev.ContactID).Scan(&attrs); err != nil {
			return err
		}
		p.mu.Lock()
		p.seen = append(p.seen, attrs)
		p.mu.Unlock()
	}
	return nil
}

// TestIngestSetsContactAttributesInTheMessagesTransaction: the attributes an inbound message
// carries are on the contact by the time its conversation's jobs are enqueued, in the same
// transaction; they are checked before anything is stored, audited when they change, and a
// redelivery applies none.
func TestIngestSetsContactAttributesInTheMessagesTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	probe := &attrProbe{}
	pool := dbtest.Pool(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	store := inbox.New(pool, inbox.Options{Jobs: probe, Clock: func() time.Time { return now }})
	for _, d := range []inbox.AttributeDef{
		{Object: inbox.AttrContact, Key: "plan", Label: "Plan", Type: inbox.AttrList, Options: []string{"free", "enterprise"}},
		{Object: inbox.AttrContact, Key: "seats", Label: "Seats", Type: inbox.AttrNumber},
	} {
		if _, err := store.SaveAttributeDef(ctx, d, inbox.CLIActor()); err != nil {
			t.Fatal(err)
		}
	}
	by := inbox.AuditActor{Name: "integration"}
	msg := func(id string, attrs map[string]any) (inbox.IngestResult, error) {
		return store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: id, From: emailFrom("ops@acme.example"),
			Text: "hello", Attributes: attrs, AttributesBy: by})
	}
	audits := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE kind = 'contact.changed' AND actor = 'integration'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A new contact: the job sees the attributes, typed ("40" is a number).
	res, err := msg("a1", map[string]any{"plan": "enterprise", "seats": "40"})
	if err != nil {
		t.Fatal(err)
	}
	if len(probe.seen) != 1 || probe.seen[0]["plan"] != "enterprise" || probe.seen[0]["seats"] != 40.0 {
		t.Fatalf("attributes seen at enqueue = %v", probe.seen)
	}
	if n := audits(); n != 1 {
		t.Fatalf("audit entries = %d, want 1", n)
	}

	// A bad value refuses the whole message: nothing is stored.
	if _, err := msg("a2", map[string]any{"plan": "gold"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("bad value: %v", err)
	}
	if _, err := msg("a2", map[string]any{"shoe_size": "9"}); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("undefined attribute: %v", err)
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE external_id = 'a2'`).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("refused message stored: %d, %v", stored, err)
	}

	// A known contact: one attribute removed, the other kept; the same values again change and
	// audit nothing; a redelivery with other values applies none.
	if _, err := msg("a3", map[string]any{"seats": nil}); err != nil {
		t.Fatal(err)
	}
	if _, err := msg("a4", map[string]any{"plan": "enterprise"}); err != nil {
		t.Fatal(err)
	}
	if again, err := msg("a1", map[string]any{"plan": "free"}); err != nil || !again.Duplicate {
		t.Fatalf("redelivery = %+v, %v", again, err)
	}
	c, err := store.GetContact(ctx, res.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attributes) != 1 || c.Attributes["plan"] != "enterprise" {
		t.Fatalf("attributes = %v, want plan enterprise only", c.Attributes)
	}
	if n := audits(); n != 2 {
		t.Fatalf("audit entries = %d, want 2 (created, seats removed)", n)
	}
}
