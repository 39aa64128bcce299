package inbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

func TestChangeMessage(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSlack, ExternalID: "C1:1.000001",
		From: inbox.Identity{Kind: inbox.IdentitySlack, Address: "T1:U1", Verified: true}, Text: "order 24 is late"})
	edit := inbox.MessageChange{Channel: inbox.ChannelSlack, ExternalID: "C1:1.000001", Text: "order 42 is late"}

	for i, want := range []bool{true, false} { // the second time is a redelivery
		changed, err := e.store.ChangeMessage(ctx, edit)
		if err != nil || changed != want {
			t.Fatalf("edit %d: changed %v, %v; want %v", i, changed, err, want)
		}
	}
	m, err := e.store.GetMessage(ctx, res.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "order 42 is late" || m.Metadata["original_text"] != "order 24 is late" || m.Metadata["edits"] != float64(1) {
		t.Fatalf("edited = %q %v", m.Text, m.Metadata)
	}

	del := inbox.MessageChange{Channel: inbox.ChannelSlack, ExternalID: "C1:1.000001", Deleted: true}
	if changed, err := e.store.ChangeMessage(ctx, del); err != nil || !changed {
		t.Fatalf("delete: %v, %v", changed, err)
	}
	edit.Text = "edited after deletion"
	if changed, err := e.store.ChangeMessage(ctx, edit); err != nil || changed {
		t.Fatalf("edit of a deleted message: %v, %v; want no change", changed, err)
	}
	if m, _ = e.store.GetMessage(ctx, res.MessageID); m.Metadata["deleted"] != true || m.Text != "order 42 is late" {
		t.Fatalf("deleted = %q %v", m.Text, m.Metadata)
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE args->>'type' = $1 AND (args->>'message_id')::bigint = $2`,
		inbox.EventMessageUpdated, res.MessageID); n != 2 {
		t.Fatalf("%d message.updated events, want 2 (the edit and the deletion)", n)
	}

	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "we are on it"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.UpdateDelivery(ctx, inbox.DeliveryUpdate{MessageID: out.ID, Status: inbox.DeliverySent, SetExternalID: "C1:2.000001"}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		ch   inbox.MessageChange
		want error
	}{
		"unknown message": {inbox.MessageChange{Channel: inbox.ChannelSlack, ExternalID: "C1:9.000001", Text: "x"}, inbox.ErrNotFound},
		"agent's message": {inbox.MessageChange{Channel: inbox.ChannelSlack, ExternalID: "C1:2.000001", Text: "x"}, inbox.ErrConflict},
		"deletion with text": {inbox.MessageChange{Channel: inbox.ChannelSlack, ExternalID: "C1:1.000001", Deleted: true, Text: "x"},
			inbox.ErrInvalid},
	} {
		if _, err := e.store.ChangeMessage(ctx, tc.ch); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
}

func TestCompleteContact(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	res := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSlack, ExternalID: "C1:1.000001",
		From: inbox.Identity{Kind: inbox.IdentitySlack, Address: "T1:U1", Verified: true}, Text: "hi"})
	profile := inbox.ContactProfile{Name: "Ada Lovelace", Also: []inbox.Identity{{Kind: inbox.IdentityEmail, Address: "Ada@Acme.example"}}}
	complete := func() (bool, error) {
		var changed bool
		err := e.store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			changed, err = e.store.CompleteContactTx(ctx, tx, res.ContactID, profile)
			return err
		})
		return changed, err
	}
	for i, want := range []bool{true, false} {
		if changed, err := complete(); err != nil || changed != want {
			t.Fatalf("complete %d: %v, %v; want %v", i, changed, err, want)
		}
	}
	c, err := e.store.GetContact(ctx, res.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Ada Lovelace" || len(c.Identities) != 2 || c.Identities[1].Address != "ada@acme.example" || c.Identities[1].Verified {
		t.Fatalf("contact = %+v", c)
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE args->>'type' = $1`, inbox.EventContactUpdated); n != 1 {
		t.Fatalf("%d contact.updated events, want 1", n)
	}

	other := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<m1@acme.example>",
		From: emailFrom("grace@acme.example"), Text: "hello"})
	if _, err := e.store.Merge(ctx, other.ContactID, res.ContactID, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := complete(); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("completing a merged contact: err = %v, want ErrConflict", err)
	}
}
