package inbox_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// MarkDeliveredTx delivers the messages not yet delivered, announces each with the event
// UpdateDeliveryTx would, and leaves delivered and unknown ids alone.
func TestMarkDeliveredTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, log := setupEventLog(t)
	res, err := store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM-bulk", From: phoneFrom("+15550100300"), Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, text := range []string{"one", "two", "three"} {
		m, err := store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if _, err := store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: ids[1], Status: inbox.DeliverySent}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: ids[2], Status: inbox.DeliveryDelivered}); err != nil {
		t.Fatal(err)
	}
	before := len(log.ofType(inbox.EventMessageDelivery))
	var n int
	err = store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		// Out of order, a duplicate and an id of no message.
		n, err = store.MarkDeliveredTx(ctx, tx, []int64{ids[2], ids[1], ids[0], ids[1], ids[2] + 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d messages changed, want 2", n)
	}
	for _, id := range ids {
		m, err := store.GetMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.DeliveryStatus != inbox.DeliveryDelivered {
			t.Errorf("message %d is %q, want delivered", id, m.DeliveryStatus)
		}
	}
	events := log.ofType(inbox.EventMessageDelivery)[before:]
	if len(events) != 2 {
		t.Fatalf("%d delivery events, want 2: %+v", len(events), events)
	}
	previous := map[int64]string{}
	for _, e := range events {
		if e.ConversationID != res.ConversationID || e.ContactID != res.ContactID || e.Delivery != inbox.DeliveryDelivered {
			t.Errorf("event %+v: want conversation %d, contact %d, delivered", e, res.ConversationID, res.ContactID)
		}
		previous[e.MessageID] = e.Previous
	}
	if previous[ids[0]] != inbox.DeliveryQueued || previous[ids[1]] != inbox.DeliverySent {
		t.Errorf("previous statuses %v, want %d queued and %d sent", previous, ids[0], ids[1])
	}
}
