package inbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// eventLog is an inbox.Jobs that remembers the events handed to it, to see what a change
// announces. Events of a rolled-back transaction are remembered too, so tests commit.
type eventLog struct {
	mu     sync.Mutex
	events []inbox.Event
}

func (l *eventLog) Enqueue(_ context.Context, _ pgx.Tx, events []inbox.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, events...)
	return nil
}

func (l *eventLog) ofType(typ string) []inbox.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []inbox.Event
	for _, e := range l.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// setupEventLog is a store whose events land in the returned log.
func setupEventLog(t *testing.T) (*inbox.Store, *eventLog) {
	t.Helper()
	log := &eventLog{}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	return inbox.New(dbtest.Pool(t), inbox.Options{Jobs: log, Clock: func() time.Time { return now }}), log
}

func TestSetCategory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, log := setupEventLog(t)
	res, err := store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100200"), Text: "this is outrageous"})
	if err != nil {
		t.Fatal(err)
	}
	var delivery, damaged inbox.Category
	if err := store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if delivery, err = store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: " Delivery "}); err != nil {
			return err
		}
		damaged, err = store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Damaged", ParentID: delivery.ID, Complaint: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if damaged.Path != "Delivery › Damaged" || !damaged.Complaint {
		t.Fatalf("damaged = %+v", damaged)
	}
	byPath, err := store.CategoryByPath(ctx, "category", "delivery > DAMAGED")
	if err != nil || byPath.ID != damaged.ID {
		t.Fatalf("by path = %+v, %v", byPath, err)
	}
	if _, err := store.CategoryByPath(ctx, "category", "Delivery › Lost"); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("unknown path: %v", err)
	}
	conv, err := store.SetCategory(ctx, res.ConversationID, damaged.ID, inbox.Actor{})
	if err != nil || conv.Category != "Delivery › Damaged" || !conv.Complaint || conv.CategoryID == nil || *conv.CategoryID != damaged.ID {
		t.Fatalf("conversation = %+v, %v", conv, err)
	}
	// The same category again changes and announces nothing.
	if _, err := store.SetCategory(ctx, res.ConversationID, damaged.ID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	events := log.ofType(inbox.EventConversationCategory)
	if len(events) != 1 || events[0].Data["category"] != "Delivery › Damaged" || events[0].ConversationID != res.ConversationID {
		t.Fatalf("category events = %+v", events)
	}
	var n int
	if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM conversation_events WHERE conversation_id = $1
		AND kind = 'category' AND actor = 'system' AND data->>'to' = 'Delivery › Damaged'`, res.ConversationID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("category audit rows = %d, %v", n, err)
	}
	// A rename follows onto the conversation's path.
	if err := store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{ID: delivery.ID, Name: "Shipping"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if conv, err = store.GetConversation(ctx, res.ConversationID); err != nil || conv.Category != "Shipping › Damaged" {
		t.Fatalf("after rename: %q, %v", conv.Category, err)
	}
	// Bad input changes nothing.
	for _, id := range []int64{999999} {
		if _, err := store.SetCategory(ctx, res.ConversationID, id, inbox.Actor{}); !errors.Is(err, inbox.ErrInvalid) {
			t.Fatalf("unknown category: %v", err)
		}
	}
	if _, err := store.SetCategory(ctx, 999999, damaged.ID, inbox.Actor{}); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown conversation: %v", err)
	}
	err = store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Torn", ParentID: damaged.ID})
		return err
	})
	if !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("a third level: %v", err)
	}
	err = store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "damaged", ParentID: delivery.ID})
		return err
	})
	if !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("a duplicate: %v", err)
	}
	// Clearing it.
	if conv, err = store.SetCategory(ctx, res.ConversationID, 0, inbox.Actor{}); err != nil || conv.Category != "" || conv.CategoryID != nil || conv.Complaint {
		t.Fatalf("cleared = %+v, %v", conv, err)
	}
}

func TestSetAvailabilityAnnouncesChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, log := setupEventLog(t)
	a, err := store.CreateAgent(ctx, inbox.NewAgent{Email: "ann@example.com", Name: "Ann", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"away", "away", "available"} {
		if err := store.SetAvailability(ctx, a.ID, v); err != nil {
			t.Fatalf("set %s: %v", v, err)
		}
	}
	events := log.ofType(inbox.EventAgentAvailability)
	if len(events) != 2 {
		t.Fatalf("availability events = %+v, want away then available", events)
	}
	if events[0].AgentID != a.ID || events[0].Previous != "available" || events[0].Data["availability"] != "away" ||
		events[1].Previous != "away" || events[1].Data["availability"] != "available" {
		t.Fatalf("availability events = %+v", events)
	}
	if err := store.SetAvailability(ctx, a.ID, "busy"); !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("busy: %v", err)
	}
	if err := store.SetAvailability(ctx, 999999, "away"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown agent: %v", err)
	}
}

func TestAddAuditTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := setupEventLog(t)
	res, err := store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100200"), Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	err = store.InTx(ctx, func(tx pgx.Tx) error {
		return store.AddAuditTx(ctx, tx, res.ConversationID, inbox.Actor{}, "routed", map[string]any{"rules": []string{"vip"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var contactID int64
	var rule string
	if err := store.Pool().QueryRow(ctx, `SELECT contact_id, data->'rules'->>0 FROM conversation_events
		WHERE conversation_id = $1 AND kind = 'routed' AND actor = 'system'`, res.ConversationID).Scan(&contactID, &rule); err != nil {
		t.Fatal(err)
	}
	if contactID != res.ContactID || rule != "vip" {
		t.Fatalf("audit row: contact %d, rule %q", contactID, rule)
	}
	err = store.InTx(ctx, func(tx pgx.Tx) error { return store.AddAuditTx(ctx, tx, 999999, inbox.Actor{}, "routed", nil) })
	if !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("unknown conversation: %v", err)
	}
}

// EnsureCategoryPathTx adds the levels of a path that are missing, only once, marks only an added
// last level a complaint, and finds an existing path whatever its case and separator.
func TestEnsureCategoryPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := setupEventLog(t)
	ensure := func(path string, complaint bool) inbox.Category {
		t.Helper()
		var c inbox.Category
		if err := store.InTx(ctx, func(tx pgx.Tx) (err error) {
			c, err = store.EnsureCategoryPathTx(ctx, tx, path, complaint)
			return err
		}); err != nil {
			t.Fatalf("%q: %v", path, err)
		}
		return c
	}
	late := ensure("Delivery › Late", true)
	if late.Path != "Delivery › Late" || !late.Complaint || late.ParentID == nil {
		t.Fatalf("late = %+v", late)
	}
	if again := ensure("delivery/late", false); again.ID != late.ID || !again.Complaint {
		t.Errorf("the same path again = %+v, want %+v", again, late)
	}
	lost := ensure("Delivery > Lost", false)
	if lost.ParentID == nil || *lost.ParentID != *late.ParentID || lost.Complaint {
		t.Errorf("a sibling = %+v, want parent %d and not a complaint", lost, *late.ParentID)
	}
	parent, err := store.Category(ctx, "category", *late.ParentID)
	if err != nil || parent.Complaint || parent.Path != "Delivery" {
		t.Errorf("the parent = %+v, %v: want Delivery, not a complaint", parent, err)
	}
	cats, err := store.Categories(ctx)
	var delivery []string
	for _, c := range cats {
		if strings.HasPrefix(c.Path, "Delivery") {
			delivery = append(delivery, c.Path)
		}
	}
	if err != nil || len(delivery) != 3 {
		t.Errorf("categories under Delivery = %q, %v: want Delivery, Late and Lost once each", delivery, err)
	}
	if err := store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := store.EnsureCategoryPathTx(ctx, tx, "A › B › C", false)
		return err
	}); err == nil {
		t.Error("a three-level path was accepted")
	}
}
